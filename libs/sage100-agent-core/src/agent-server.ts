import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Boi } from './boi';
import { AgentOperationError, OPERATIONS, type AgentBoiConfig } from './operations';
import { MAX_SKEW_MS, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyAgentRequest } from './signing';

export interface AgentServerOptions {
  boi: Boi;
  boiConfig: AgentBoiConfig;
  /** the secret shared with the connector (per installation) */
  secret: string;
  port?: number;
  host?: string;
  /**
   * TLS: the agent's key and certificate (the connector pins this certificate), and with `ca` the
   * client certificates it accepts (mutual TLS). Without it the agent speaks plain HTTP, which is
   * for tests on one machine only.
   */
  tls?: { key: Buffer | string; cert: Buffer | string; ca?: Buffer | string };
  now?: () => number;
  /** largest body accepted */
  maxBodyBytes?: number;
}

const PATH = /^\/v1\/operations\/([A-Za-z]+)$/;

/**
 * The agent's HTTPS endpoint: `POST /v1/operations/<name>` with a JSON body of parameters, signed
 * (signing.ts) and fresh (5 minutes), each signature accepted once. Only the operations of
 * OPERATIONS run; anything else is refused before the BOI is touched. Answers
 * `{ ok: true, result }` or `{ ok: false, error: { code, message, retriable } }`.
 */
export class AgentServer {
  private server?: Server;
  /** signatures seen in the last window: a replay inside it is refused too */
  private readonly seen = new Map<string, number>();
  readonly stats = { refused: 0, ran: 0 };

  constructor(private readonly opts: AgentServerOptions) {
    if (!opts.secret || opts.secret.length < 32)
      throw new Error('the shared secret must have at least 32 characters');
  }

  get url(): string {
    const a = this.server?.address() as AddressInfo | null | undefined;
    if (!a) throw new Error('agent not started');
    return `${this.opts.tls ? 'https' : 'http'}://127.0.0.1:${a.port}`;
  }

  async start(): Promise<string> {
    const listener = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res);
    const t = this.opts.tls;
    this.server = t
      ? createHttps(
          {
            key: t.key,
            cert: t.cert,
            ...(t.ca ? { ca: t.ca, requestCert: true, rejectUnauthorized: true } : {}),
          },
          listener,
        )
      : createHttp(listener);
    const server = this.server;
    await new Promise<void>((r) => server.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', r));
    return this.url;
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    await new Promise<void>((r) => {
      s.close(() => r());
      s.closeAllConnections();
    });
    this.server = undefined;
    await this.opts.boi.close();
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private refuse(res: ServerResponse, status: number, message: string): void {
    this.stats.refused++;
    this.send(res, status, { ok: false, error: { code: 'REFUSED', message, retriable: false } });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    const max = this.opts.maxBodyBytes ?? 1_000_000;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
    });
    req.on('end', () => {
      if (size > max) return this.refuse(res, 413, 'body too large');
      this.run(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  }

  private run(req: IncomingMessage, res: ServerResponse, body: string): void {
    const now = (this.opts.now ?? Date.now)();
    const path = new URL(req.url ?? '/', 'http://agent').pathname;
    const header = (n: string) => {
      const v = req.headers[n];
      return Array.isArray(v) ? v[0] : v;
    };
    const signature = header(SIGNATURE_HEADER);
    const why = verifyAgentRequest(
      this.opts.secret,
      { method: req.method ?? 'GET', path, timestamp: header(TIMESTAMP_HEADER), signature, body },
      now,
    );
    if (why) return this.refuse(res, 401, why);
    for (const [sig, at] of this.seen) if (now - at > 2 * MAX_SKEW_MS) this.seen.delete(sig);
    if (this.seen.has(signature!)) return this.refuse(res, 409, 'replayed request');
    this.seen.set(signature!, now);
    const m = PATH.exec(path);
    if (req.method !== 'POST' || !m) return this.refuse(res, 404, 'no such operation');
    const op = Object.prototype.hasOwnProperty.call(OPERATIONS, m[1]) ? OPERATIONS[m[1]] : undefined;
    if (!op) return this.refuse(res, 404, `operation ${m[1]} is not on the agent's list`);
    let params: unknown;
    try {
      params = body ? JSON.parse(body) : {};
    } catch {
      return this.refuse(res, 400, 'body is not JSON');
    }
    if (typeof params !== 'object' || params === null || Array.isArray(params))
      return this.refuse(res, 400, 'body must be a JSON object');
    try {
      this.stats.ran++;
      const result = op(
        this.opts.boi,
        { now: this.opts.now, ...this.opts.boiConfig },
        params as Record<string, unknown>,
      );
      this.send(res, 200, { ok: true, result });
    } catch (err) {
      if (err instanceof AgentOperationError) {
        const status =
          err.code === 'BAD_REQUEST'
            ? 400
            : err.code === 'RECORD_IN_USE'
              ? 409
              : err.code === 'LOGON'
                ? 403
                : 422;
        return this.send(res, status, {
          ok: false,
          error: { code: err.code, message: err.message, retriable: err.retriable },
        });
      }
      this.send(res, 500, {
        ok: false,
        error: { code: 'AGENT_ERROR', message: (err as Error).message, retriable: true },
      });
    }
  }
}
