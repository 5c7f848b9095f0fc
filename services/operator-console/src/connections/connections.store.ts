import type { Db } from '@connector/db';

export interface ConnectionStatus {
  id: string;
  name: string;
  erpKind: string;
  erpCompany: string;
  marketplaceIds: string[];
  enabled: boolean;
  streams: Array<{ stream: string; watermark: Date; lastRun: Date }>;
  /** audit rows that failed (dead-lettered) in the last 24 hours */
  errors24h: number;
}

/** Connections and their streams, read-only (credentials are never read by the console). */
export interface ConnectionsStore {
  list(): Promise<ConnectionStatus[]>;
}

export class KnexConnectionsStore implements ConnectionsStore {
  constructor(private readonly db: Db) {}

  async list(): Promise<ConnectionStatus[]> {
    const conns = (await this.db('connections')
      .select('id', 'name', 'erp_kind', 'erp_company', 'marketplace_ids', 'enabled')
      .orderBy('id')) as Array<Record<string, unknown>>;
    const cursors: Array<Record<string, unknown>> = await this.db('poll_cursors').select(
      'connection_id',
      'stream',
      'watermark',
      'updated_at',
    );
    const errors = await this.db('audit_trail')
      .select('connection_id')
      .count<Array<{ connection_id: string; n: string }>>({ n: '*' })
      .where({ stage: 'dead_lettered' })
      .andWhere('created_at', '>', this.db.raw("now() - interval '24 hours'"))
      .groupBy('connection_id');
    return conns.map((c) => ({
      id: c.id as string,
      name: c.name as string,
      erpKind: c.erp_kind as string,
      erpCompany: c.erp_company as string,
      marketplaceIds: c.marketplace_ids as string[],
      enabled: c.enabled as boolean,
      streams: cursors
        .filter((k) => k.connection_id === c.id)
        .map((k) => ({
          stream: k.stream as string,
          watermark: k.watermark as Date,
          lastRun: k.updated_at as Date,
        })),
      errors24h: Number(errors.find((e) => e.connection_id === c.id)?.n ?? 0),
    }));
  }
}
