import type { AuditStore } from '@connector/db';
import { DLQ_HEADERS } from '@connector/kafka';
import type { ConsoleUser } from '../auth/auth.store';
import type { ConsoleAudit } from '../auth/console-audit';
import { NotFoundError } from '../auth/errors';
import type { DeadLetterPort } from './dead-letters.port';
import { withoutPii } from './pii';

export interface DeadLetterView {
  id: string;
  topic: string;
  partition: number;
  offset: string;
  key: string;
  code: string;
  reason: string;
  stage: string;
  service: string;
  attempts: string;
  failedAt: string;
  source: unknown;
  erpAnswer: unknown;
  redriven: boolean;
}

export const dlqRef = (topic: string, partition: number, offset: string) =>
  `dlq:${topic}/${partition}/${offset}`;

/** Dead letters grouped by code, with the ERP's answer from the audit trail; redrives audited. */
export class DeadLettersService {
  constructor(private readonly deps: { port: DeadLetterPort; auditTrail: AuditStore; audit: ConsoleAudit }) {}

  async list(): Promise<Array<{ topic: string; code: string; pending: number; records: DeadLetterView[] }>> {
    const { records, redrivenBefore } = await this.deps.port.readAll();
    const groups = new Map<
      string,
      { topic: string; code: string; pending: number; records: DeadLetterView[] }
    >();
    for (const r of records) {
      const h = r.headers;
      const code = h[DLQ_HEADERS.code] || 'UNKNOWN';
      const originPartition = Number(h[DLQ_HEADERS.partition] ?? -1);
      const originOffset = h[DLQ_HEADERS.offset] ?? '';
      const trail = h[DLQ_HEADERS.topic]
        ? await this.deps.auditTrail.findBySource(h[DLQ_HEADERS.topic], originPartition, originOffset)
        : [];
      // the ERP's answer: what it returned, or its refusal as the writer recorded it (not our own refusals)
      const answered = trail
        .filter(
          (a) => a.erpResponse !== undefined || (a.error !== undefined && !a.error.startsWith('UNMAPPED_')),
        )
        .pop();
      const oneByOne = r.key
        ? (
            await this.deps.auditTrail.findByRecordKey(
              r.key.split('/')[0],
              dlqRef(r.topic, r.partition, r.offset),
            )
          ).length > 0
        : false;
      const view: DeadLetterView = {
        id: `${r.topic}/${r.partition}/${r.offset}`,
        topic: r.topic,
        partition: r.partition,
        offset: r.offset,
        key: r.key,
        code,
        reason: h[DLQ_HEADERS.error] ?? '',
        stage: h[DLQ_HEADERS.stage] ?? '',
        service: h[DLQ_HEADERS.service] ?? '',
        attempts: h[DLQ_HEADERS.attempts] ?? '',
        failedAt: h[DLQ_HEADERS.failedAt] ?? '',
        source: r.undecodable !== undefined ? { undecodable: `${r.undecodable} bytes` } : withoutPii(r.value),
        erpAnswer: answered ? withoutPii(answered.erpResponse ?? answered.error) : null,
        redriven: BigInt(r.offset) < redrivenBefore(r.topic, code, r.partition) || oneByOne,
      };
      const g = groups.get(`${r.topic}|${code}`) ?? { topic: r.topic, code, pending: 0, records: [] };
      g.records.push(view);
      if (!view.redriven) g.pending++;
      groups.set(`${r.topic}|${code}`, g);
    }
    return [...groups.values()].sort((a, b) => b.pending - a.pending || a.code.localeCompare(b.code));
  }

  async redriveGroup(user: ConsoleUser, topic: string, code: string) {
    const result = await this.deps.port.redriveGroup(topic, code);
    await this.deps.audit.record(user, 'redrive-dead-letters', { details: { topic, code, ...result } });
    return result;
  }

  async redriveOne(user: ConsoleUser, topic: string, partition: number, offset: string) {
    const { records } = await this.deps.port.readAll();
    const r = records.find((x) => x.topic === topic && x.partition === partition && x.offset === offset);
    if (!r) throw new NotFoundError(`dead letter ${topic}/${partition}/${offset}`);
    await this.deps.port.redriveOne(topic, partition, offset);
    await this.deps.audit.record(user, 'redrive-dead-letter', {
      connectionId: r.key.split('/')[0] || undefined,
      recordKey: dlqRef(topic, partition, offset),
      details: { topic, partition, offset, key: r.key, code: r.headers[DLQ_HEADERS.code] },
    });
    return { redriven: 1 };
  }
}
