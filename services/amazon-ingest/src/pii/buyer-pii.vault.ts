import type { CredentialsCipher, Db } from '@connector/db';
import type { Connection } from '@connector/db';
import type { Clock } from '@connector/core';

/**
 * Buyer name and address, only for connections whose ERP needs them (settings.buyerPii). Encrypted
 * with AES-256-GCM bound to the connection and order, never put on Kafka (events carry `piiRef`),
 * and deleted `piiRetentionDays` after the order's last update (Amazon DPP; FACTS §13).
 */
export interface BuyerPiiVault {
  keep(
    conn: Connection,
    orderId: string,
    pii: Record<string, unknown>,
    lastUpdateMs: number,
  ): Promise<string>;
  read(connectionId: string, orderId: string): Promise<Record<string, unknown> | null>;
  purgeExpired(): Promise<number>;
}

export const piiRef = (connectionId: string, orderId: string) => `pii:${connectionId}/${orderId}`;

interface BuyerPiiRow {
  connection_id: string;
  amazon_order_id: string;
  ciphertext: Buffer;
  key_id: string;
}

export class KnexBuyerPiiVault implements BuyerPiiVault {
  constructor(
    private readonly db: Db,
    private readonly cipher: CredentialsCipher,
    private readonly clock: Clock,
  ) {}

  async keep(
    conn: Connection,
    orderId: string,
    pii: Record<string, unknown>,
    lastUpdateMs: number,
  ): Promise<string> {
    const sealed = this.cipher.seal(JSON.stringify(pii), piiRef(conn.id, orderId));
    await this.db('buyer_pii')
      .insert({
        connection_id: conn.id,
        amazon_order_id: orderId,
        ciphertext: sealed.ciphertext,
        key_id: sealed.keyId,
        purge_after: new Date(lastUpdateMs + conn.settings.piiRetentionDays * 86_400_000),
      })
      .onConflict(['connection_id', 'amazon_order_id'])
      .merge();
    return piiRef(conn.id, orderId);
  }

  async read(connectionId: string, orderId: string): Promise<Record<string, unknown> | null> {
    const row = await this.db<BuyerPiiRow>('buyer_pii')
      .where({ connection_id: connectionId, amazon_order_id: orderId })
      .first();
    if (!row) return null;
    return JSON.parse(
      this.cipher.open({ ciphertext: row.ciphertext, keyId: row.key_id }, piiRef(connectionId, orderId)),
    ) as Record<string, unknown>;
  }

  async purgeExpired(): Promise<number> {
    return this.db('buyer_pii').where('purge_after', '<', new Date(this.clock.now())).delete();
  }
}
