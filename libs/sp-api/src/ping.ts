import { errorCode, errorMessage } from '@connector/core';
import type { SpApiConnection, SpApiCredentials, SpApiFactory } from './sp-api.factory';

/**
 * `ping` of a connection's Amazon side: an LWA token exchange and a marketplace call before any data
 * moves (the connection CLI and the operator console). Not OK when the seller does not sell in a
 * marketplace the connection lists.
 */
export async function pingAmazon(
  conn: SpApiConnection & { marketplaceIds: string[] },
  creds: SpApiCredentials,
  factory: SpApiFactory,
): Promise<{ ok: boolean; lines: string[] }> {
  const lines: string[] = [];
  try {
    const api = factory.forConnection(conn, creds);
    const participations = await api.getMarketplaceParticipations();
    const active = new Set(
      (participations ?? []).filter((p) => p.participation.isParticipating).map((p) => p.marketplace.id),
    );
    lines.push(`LWA token exchange: ok`);
    lines.push(`marketplaces the seller participates in: ${[...active].join(', ') || '(none)'}`);
    const missing = conn.marketplaceIds.filter((m) => !active.has(m));
    if (missing.length) {
      lines.push(
        `NOT OK: the connection lists marketplaces the seller does not sell in: ${missing.join(', ')}`,
      );
      return { ok: false, lines };
    }
    lines.push('Amazon: ok');
    return { ok: true, lines };
  } catch (err) {
    lines.push(`NOT OK (${errorCode(err)}): ${errorMessage(err)}`);
    return { ok: false, lines };
  }
}
