import net from 'node:net';

/**
 * A TCP proxy between the services and a server (PostgreSQL), with a switch: `cut()` resets every
 * connection through it and refuses new ones until `restore()`. For the services this is what a
 * database restart looks like (connections dropped, then refused, then accepted again) without
 * restarting the PostgreSQL every helper shares.
 */
export class TcpProxy {
  private readonly server: net.Server;
  private readonly open = new Set<net.Socket>();
  private blocked = false;
  /** connections accepted and connections refused while cut, for the report */
  readonly counts = { accepted: 0, refused: 0 };

  constructor(
    private readonly target: { host: string; port: number },
    private readonly listenPort = 0,
  ) {
    this.server = net.createServer((client) => this.accept(client));
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.listenPort, '127.0.0.1', () => resolve());
    });
    return this.port;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get isCut(): boolean {
    return this.blocked;
  }

  /** drops every open connection (reset) and refuses new ones */
  cut(): void {
    this.blocked = true;
    for (const s of this.open) s.resetAndDestroy();
    this.open.clear();
  }

  restore(): void {
    this.blocked = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    if (this.blocked) {
      this.counts.refused++;
      client.resetAndDestroy();
      return;
    }
    this.counts.accepted++;
    const upstream = net.connect(this.target.port, this.target.host);
    this.open.add(client);
    this.open.add(upstream);
    const drop = () => {
      this.open.delete(client);
      this.open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
