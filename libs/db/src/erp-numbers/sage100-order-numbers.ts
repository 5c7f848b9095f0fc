import type { Sage100OrderNumberStore } from '@connector/erp';
import type { Db } from '../knex';

/**
 * Sage100OrderNumberStore in PostgreSQL (`erp_drawn_numbers`): one row per connection, company and
 * natural key, so the number drawn for an Amazon order outlives the process that drew it and every
 * replica of sage-writer sees it. Each `put` is its own statement, committed before the SOAP call.
 */
export class KnexSage100OrderNumbers implements Sage100OrderNumberStore {
  constructor(
    private readonly db: Db,
    private readonly connectionId: string,
  ) {}

  async get(company: string, naturalKey: string): Promise<string | null> {
    const rows: Array<{ number: string }> = await this.db('erp_drawn_numbers')
      .where({ connection_id: this.connectionId, company, natural_key: naturalKey })
      .select('number');
    return rows[0]?.number ?? null;
  }

  async put(company: string, naturalKey: string, salesOrderNo: string): Promise<void> {
    await this.db('erp_drawn_numbers')
      .insert({ connection_id: this.connectionId, company, natural_key: naturalKey, number: salesOrderNo })
      .onConflict(['connection_id', 'company', 'natural_key'])
      .merge({ number: salesOrderNo, drawn_at: this.db.fn.now() });
  }
}
