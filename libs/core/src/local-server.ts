import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server on 127.0.0.1 (port 0: any free port), as the simulators run: start, its URL, stop. */
export class LocalHttpServer {
  private server?: Server;

  /** Listens and answers with `listener`; resolves to `http://127.0.0.1:<port>`. */
  async listen(port: number, listener: RequestListener): Promise<string> {
    const server = createServer(listener);
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return this.url;
  }

  get started(): boolean {
    return this.server !== undefined;
  }

  get url(): string {
    const addr = this.server?.address() as AddressInfo | null | undefined;
    if (!addr) throw new Error('simulator not started');
    return `http://127.0.0.1:${addr.port}`;
  }

  /** Stops, closing keep-alive sockets too (fetch's would hold the server, and a test process, open). */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    this.server = undefined;
  }
}
