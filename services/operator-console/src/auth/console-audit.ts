import type { AuditStore, AuditStage } from '@connector/db';
import type { ConsoleUser } from './auth.store';

export const SERVICE = 'operator-console';

/** Every change made from the console, in the connector's audit trail, with who made it. */
export class ConsoleAudit {
  constructor(private readonly store: AuditStore) {}

  record(
    user: ConsoleUser,
    action: string,
    e: { connectionId?: string; recordKey?: string; stage?: AuditStage; details?: unknown; error?: string },
  ): Promise<void> {
    return this.store.append({
      connectionId: e.connectionId,
      service: SERVICE,
      stage: e.stage ?? 'produced',
      recordKey: e.recordKey,
      payload: { action, by: { userId: user.id, email: user.email, role: user.role }, details: e.details },
      outcome: action,
      error: e.error,
    });
  }
}
