import { isContention, isRetriable, retry, retryAfterOf } from '@connector/core';
import { ERP_OUTAGE_RETRY_AFTER_MS, ErpRecordLockedError, ErpUnavailableError } from '../errors';

describe('an ERP outage is waited out, not dead-lettered after a few attempts', () => {
  const outage = () => new ErpUnavailableError('SAP B1 answered 503', { erp: 'SAP_B1', httpStatus: 503 });

  it('names its own wait, so the consumer waits without using attempts', () => {
    expect(isRetriable(outage())).toBe(true);
    expect(retryAfterOf(outage())).toBe(ERP_OUTAGE_RETRY_AFTER_MS);
    const told = new ErpUnavailableError('busy', { erp: 'SAGE300' }, { retryAfterMs: 120_000 });
    expect(retryAfterOf(told)).toBe(120_000);
  });

  it('when the ERP answers 503 for two minutes, then the consumer policy (5 attempts, 10-minute budget) rides it through', async () => {
    let now = 0;
    const outageUntil = 120_000;
    const { attempts } = await retry(
      async () => {
        if (now < outageUntil) throw outage();
        return 'written';
      },
      {
        maxAttempts: 5,
        baseMs: 200,
        maxMs: 30_000,
        retryAfterBudgetMs: 600_000,
        shouldRetry: isRetriable,
        random: () => 0.5,
        sleep: async (ms) => {
          now += ms;
        },
      },
    );
    expect(now).toBe(outageUntil);
    expect(attempts).toBe(outageUntil / ERP_OUTAGE_RETRY_AFTER_MS + 1);
  });
});

describe('a record lock is contention, an outage is not', () => {
  it('tells the adaptive limit which push-back it is (a lock may be tolerated, an outage never)', () => {
    const lock = new ErpRecordLockedError('SAP B1 -2039', { erp: 'SAP_B1', erpCode: '-2039' });
    expect(isRetriable(lock)).toBe(true);
    expect(isContention(lock)).toBe(true);
    expect(isContention(new ErpUnavailableError('503', { erp: 'SAP_B1', httpStatus: 503 }))).toBe(false);
    expect(isContention(new Error('socket hang up'))).toBe(false);
  });
});
