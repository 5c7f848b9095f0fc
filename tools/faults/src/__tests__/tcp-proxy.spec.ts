import net from 'node:net';
import { TcpProxy } from '../tcp-proxy';

/** an echo server standing in for PostgreSQL */
async function echoServer(): Promise<net.Server> {
  const server = net.createServer((s) => s.on('error', () => undefined).pipe(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return server;
}

/** a connection, its first echo of `text` (or how it failed), and the socket to watch */
function roundTrip(port: number, text: string): { socket: net.Socket; answer: Promise<string> } {
  const socket = net.connect(port, '127.0.0.1');
  const answer = new Promise<string>((resolve) => {
    socket.once('connect', () => socket.write(text));
    socket.once('data', (d) => resolve(d.toString()));
    socket.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code ?? e.message}`));
    socket.once('close', () => resolve('closed'));
  });
  return { socket, answer };
}

describe('TcpProxy (the PostgreSQL fault)', () => {
  let server: net.Server;
  let proxy: TcpProxy;

  beforeEach(async () => {
    server = await echoServer();
    proxy = new TcpProxy({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
    await proxy.start();
  });

  afterEach(async () => {
    await proxy.close();
    await new Promise((r) => server.close(r));
  });

  it('when open, then bytes pass both ways', async () => {
    const { socket, answer } = roundTrip(proxy.port, 'ping');
    expect(await answer).toBe('ping');
    socket.destroy();
  });

  it('when cut, then open connections are reset and new ones refused, and after restore they pass again', async () => {
    const before = roundTrip(proxy.port, 'a');
    expect(await before.answer).toBe('a');
    const dropped = new Promise<string>((resolve) => {
      before.socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      before.socket.once('close', () => resolve('closed'));
    });
    proxy.cut();
    expect(['ECONNRESET', 'closed']).toContain(await dropped);

    const during = roundTrip(proxy.port, 'b');
    expect(await during.answer).toMatch(/^(error ECONNRESET|closed)$/);
    expect(proxy.counts.refused).toBe(1);

    proxy.restore();
    const after = roundTrip(proxy.port, 'c');
    expect(await after.answer).toBe('c');
    after.socket.destroy();
  });
});
