import { NonRetriableError } from '@connector/core';
import type { Connection, ConnectionCredentials, ConnectionRepository } from '@connector/db';
import type { ErpKind, ErpPort } from '@connector/erp';
import type { ErpResolver } from '../writer/order-writer.service';

export type ErpFactory = (conn: Connection, creds: ConnectionCredentials) => ErpPort;

/**
 * One adapter per connection, built from the connection's ERP kind and its decrypted credentials,
 * kept for the life of the process (so a SAP B1 session is reused across records).
 */
export class ConnectionErpResolver implements ErpResolver {
  private readonly ports = new Map<string, Promise<ErpPort>>();

  constructor(
    private readonly connections: Pick<ConnectionRepository, 'get' | 'credentials'>,
    private readonly factories: Partial<Record<ErpKind, ErpFactory>>,
  ) {}

  forConnection(connectionId: string): Promise<ErpPort> {
    let port = this.ports.get(connectionId);
    if (!port) {
      port = this.build(connectionId);
      this.ports.set(connectionId, port);
      port.catch(() => this.ports.delete(connectionId));
    }
    return port;
  }

  private async build(connectionId: string): Promise<ErpPort> {
    const conn = await this.connections.get(connectionId);
    const factory = this.factories[conn.erpKind];
    if (!factory)
      throw new NonRetriableError(
        'ERP_NOT_SUPPORTED',
        `connection ${connectionId} targets ${conn.erpKind}, which has no adapter yet`,
      );
    const creds = await this.connections.credentials(connectionId);
    if (!creds.erp)
      throw new NonRetriableError('ERP_NO_CREDENTIALS', `connection ${connectionId} has no ERP credentials`);
    return factory(conn, creds);
  }

  async close(): Promise<void> {
    const ports = await Promise.allSettled([...this.ports.values()]);
    for (const p of ports) if (p.status === 'fulfilled') await p.value.close();
    this.ports.clear();
  }
}
