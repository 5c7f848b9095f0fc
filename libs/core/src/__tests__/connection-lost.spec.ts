import {
  CONNECTION_LOST_RETRY_AFTER_MS,
  NonRetriableError,
  RetriableError,
  isRetriable,
  retry,
  retryAfterOf,
} from '../index';

const sysError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('a lost connection is waited for, not counted as an attempt', () => {
  it('when PostgreSQL or a broker refuses, resets or cuts the connection, then the error names a wait', () => {
    for (const err of [
      sysError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
      sysError('ECONNRESET', 'read ECONNRESET'),
      sysError('57P01', 'terminating connection due to administrator command'),
      new Error('Connection terminated unexpectedly'),
      new Error('Knex: Timeout acquiring a connection. The pool is probably full.'),
    ])
      expect(retryAfterOf(err)).toBe(CONNECTION_LOST_RETRY_AFTER_MS);
  });

  it('when the error is anything else, then it names no wait, and a named wait wins', () => {
    expect(retryAfterOf(new Error('duplicate key value violates unique constraint'))).toBeUndefined();
    expect(retryAfterOf(sysError('23505', 'duplicate key'))).toBeUndefined();
    expect(retryAfterOf(new RetriableError('LEASE_HELD', 'held', { retryAfterMs: 2500 }))).toBe(2500);
    expect(retryAfterOf('ECONNRESET')).toBeUndefined();
  });

  it('when PostgreSQL is away for 15 s, then the consumer policy (5 attempts, 10-minute budget) rides it through', async () => {
    let now = 0;
    const { attempts } = await retry(
      async () => {
        if (now < 15_000) throw sysError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432');
        return 'stored';
      },
      {
        maxAttempts: 5,
        baseMs: 200,
        maxMs: 30_000,
        retryAfterBudgetMs: 600_000,
        shouldRetry: isRetriable,
        sleep: async (ms) => {
          now += ms;
        },
      },
    );
    expect(attempts).toBe(4);
    // a final error is still final
    await expect(
      retry(
        async () => {
          throw new NonRetriableError('BAD', 'bad data');
        },
        { maxAttempts: 5, baseMs: 1, maxMs: 1, retryAfterBudgetMs: 600_000, shouldRetry: isRetriable },
      ),
    ).rejects.toThrow('bad data');
  });
});
