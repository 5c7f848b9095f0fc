import { FakeAuditStore } from '@connector/db/testing';
import { DLQ_HEADERS } from '@connector/kafka';
import type { ConsoleUser } from '../../auth/auth.store';
import { ConsoleAudit } from '../../auth/console-audit';
import { NotFoundError } from '../../auth/errors';
import type { DeadLetterPort, RawDeadLetter } from '../dead-letters.port';
import { DeadLettersService } from '../dead-letters.service';

const ops: ConsoleUser = { id: '3', email: 'ops@example.com', role: 'operator', enabled: true };

/** dead letters in memory; a redrive group's position per topic|code */
class FakeDeadLetterPort implements DeadLetterPort {
  records: RawDeadLetter[] = [];
  positions = new Map<string, bigint>();
  redrivenOne: string[] = [];
  async readAll() {
    return {
      records: this.records,
      redrivenBefore: (topic: string, code: string) => this.positions.get(`${topic}|${code}`) ?? 0n,
    };
  }
  async redriveGroup(topic: string, code: string) {
    const mine = this.records.filter((r) => r.topic === topic && r.headers[DLQ_HEADERS.code] === code);
    this.positions.set(`${topic}|${code}`, BigInt(mine.at(-1)!.offset) + 1n);
    return { redriven: mine.length, skipped: 0 };
  }
  async redriveOne(topic: string, partition: number, offset: string) {
    this.redrivenOne.push(`${topic}/${partition}/${offset}`);
  }
}

const dead = (offset: string, code: string, key: string, origin: string, value: unknown): RawDeadLetter => ({
  topic: 'amazon.orders.v1',
  partition: 0,
  offset,
  key,
  value,
  headers: {
    [DLQ_HEADERS.code]: code,
    [DLQ_HEADERS.error]: `${code} happened`,
    [DLQ_HEADERS.topic]: 'p.amazon.orders.v1',
    [DLQ_HEADERS.partition]: '0',
    [DLQ_HEADERS.offset]: origin,
    [DLQ_HEADERS.service]: 'sage-writer',
  },
});

describe('DeadLettersService', () => {
  let port: FakeDeadLetterPort;
  let trail: FakeAuditStore;
  let service: DeadLettersService;

  beforeEach(async () => {
    port = new FakeDeadLetterPort();
    trail = new FakeAuditStore();
    service = new DeadLettersService({ port, auditTrail: trail, audit: new ConsoleAudit(trail) });
    port.records.push(
      dead('0', 'UNMAPPED_SKU', 'c1/111-0000000-0000001', '10', {
        amazonOrderId: '111-0000000-0000001',
        piiRef: 'v/1',
      }),
      dead('1', 'ERP_VALIDATION', 'c1/111-0000000-0000002', '11', { amazonOrderId: '111-0000000-0000002' }),
      dead('2', 'UNMAPPED_SKU', 'c1/111-0000000-0000003', '12', { amazonOrderId: '111-0000000-0000003' }),
    );
    // what the writer recorded when the ERP refused order 2
    await trail.append({
      connectionId: 'c1',
      service: 'sage-writer',
      stage: 'dead_lettered',
      source: { topic: 'p.amazon.orders.v1', partition: 0, offset: '11' },
      error: 'ERP_VALIDATION: CardCode AMZ-US is inactive',
    });
    await trail.append({
      connectionId: 'c1',
      service: 'sage-writer',
      stage: 'dead_lettered',
      source: { topic: 'p.amazon.orders.v1', partition: 0, offset: '10' },
      error: 'UNMAPPED_SKU: SKU-2 has no item',
    });
  });

  it('when listed, then records are grouped by code with the ERP answer and no buyer fields', async () => {
    const groups = await service.list();
    expect(groups.map((g) => [g.code, g.pending, g.records.length])).toEqual([
      ['UNMAPPED_SKU', 2, 2],
      ['ERP_VALIDATION', 1, 1],
    ]);
    const [sku, erp] = groups;
    expect(sku.records[0].source).toEqual({ amazonOrderId: '111-0000000-0000001' });
    expect(sku.records[0].erpAnswer).toBeNull(); // our own refusal, not the ERP's
    expect(erp.records[0].erpAnswer).toBe('ERP_VALIDATION: CardCode AMZ-US is inactive');
  });

  it('when a group is redriven, then its records show as redriven, the other group waits, and the change is audited', async () => {
    expect(await service.redriveGroup(ops, 'amazon.orders.v1', 'UNMAPPED_SKU')).toEqual({
      redriven: 2,
      skipped: 0,
    });
    const groups = await service.list();
    expect(groups.find((g) => g.code === 'UNMAPPED_SKU')!.pending).toBe(0);
    expect(groups.find((g) => g.code === 'ERP_VALIDATION')!.pending).toBe(1);
    expect(trail.records.at(-1)).toMatchObject({
      service: 'operator-console',
      outcome: 'redrive-dead-letters',
      payload: { by: { email: 'ops@example.com' }, details: { code: 'UNMAPPED_SKU', redriven: 2 } },
    });
  });

  it('when one record is redriven, then only it is sent and it shows as redriven; an unknown one is refused', async () => {
    await service.redriveOne(ops, 'amazon.orders.v1', 0, '1');
    expect(port.redrivenOne).toEqual(['amazon.orders.v1/0/1']);
    const erp = (await service.list()).find((g) => g.code === 'ERP_VALIDATION')!;
    expect(erp.records[0].redriven).toBe(true);
    await expect(service.redriveOne(ops, 'amazon.orders.v1', 0, '99')).rejects.toBeInstanceOf(NotFoundError);
  });
});
