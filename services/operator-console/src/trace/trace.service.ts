import type { DeadLettersService } from '../dead-letters/dead-letters.service';
import { withoutPii } from '../dead-letters/pii';
import { InvalidRequestError } from '../auth/errors';
import type { TraceStore } from './trace.store';

const ORDER_ID = /^\d{3}-\d{7}-\d{7}$/;
const SETTLEMENT_ID = /^\d{1,20}$/;

/** An Amazon order or a settlement, end to end: events, ERP documents, audit trail, dead letters. */
export class TraceService {
  constructor(
    private readonly deps: { store: TraceStore; deadLetters: DeadLettersService; topicPrefix: string },
  ) {}

  async trace(query: string) {
    const q = query.trim();
    const kind = ORDER_ID.test(q) ? 'order' : SETTLEMENT_ID.test(q) ? 'settlement' : undefined;
    if (!kind)
      throw new InvalidRequestError(
        'enter an Amazon order id (123-1234567-1234567) or a settlement id (digits)',
      );
    const rows = await this.deps.store.byNaturalKey(q, kind);
    const deadLetters = (await this.deps.deadLetters.list())
      .flatMap((g) => g.records)
      .filter((r) => (kind === 'order' ? r.key.endsWith(`/${q}`) : r.key.includes(`/${q}`)));
    return {
      kind,
      id: q,
      events: rows.events.map((e) => ({
        ...e,
        topic: e.topic.startsWith(this.deps.topicPrefix)
          ? e.topic.slice(this.deps.topicPrefix.length)
          : e.topic,
        payload: withoutPii(e.payload),
      })),
      financialEvents: rows.financialEvents,
      documents: rows.documents,
      audit: rows.audit.map((a) => ({
        ...a,
        payload: withoutPii(a.payload),
        erpResponse: withoutPii(a.erpResponse),
      })),
      deadLetters,
    };
  }
}
