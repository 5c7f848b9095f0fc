import { AdaptiveLimit, errorCode, isContention, isRetriable, type LimitOutcome } from '@connector/core';
import type { ErpPort } from '@connector/erp';

export interface ErpGateOptions {
  /** the most ERP documents of one connection written at once */
  ceiling: number;
  /** off: the limit stays at the ceiling (a sweep of fixed settings) */
  adaptive?: boolean;
  /** share of a window's writes that may meet record locks before the limit is cut (AdaptiveLimit) */
  contentionTolerance?: number;
  /** hears each connection's limit after a write, for the metrics */
  onLimit?: (connectionId: string, limit: number) => void;
}

/**
 * How many ERP documents of one connection (one ERP company) are written at once (issue 15, goal 3):
 * an adaptive limit per connection, which a lock error, a timeout or an outage cuts, and success grows.
 * It bounds the ERP calls only. The records around them (taken in, audited, their ledger rows marked,
 * their results published) are as many at once as the consumer holds, so that their statements and
 * sends go together, while the ERP sees no more writers than it can take.
 */
export class ErpGate {
  private readonly limits = new Map<string, AdaptiveLimit>();

  constructor(private readonly opts: ErpGateOptions) {}

  /** Runs `work` (ERP calls of one document) once the connection has a free slot. */
  async run<T>(connectionId: string, work: () => Promise<T>): Promise<T> {
    const limit = this.limitFor(connectionId);
    const permit = await limit.acquire();
    let outcome: LimitOutcome = 'failed';
    try {
      const result = await work();
      outcome = 'ok';
      return result;
    } catch (err) {
      // a lock error, a timeout or an outage: the ERP pushes back; another writer's lease does not
      if (isRetriable(err) && errorCode(err) !== 'LEASE_HELD') {
        if (isContention(err)) permit.overload('contention');
        else outcome = 'overload';
      }
      throw err;
    } finally {
      permit.release(outcome);
      this.opts.onLimit?.(connectionId, limit.limit);
    }
  }

  /**
   * The connection's ERP with each call made in one of its slots: for the calls around a document
   * (a customer, a rate, a lookup, a cancellation). Never the port a create inside `run` calls: slots
   * are not re-entrant, and a limit of 1 would wait on itself.
   */
  port(connectionId: string, erp: ErpPort): ErpPort {
    return new Proxy(erp, {
      get: (target, prop, receiver) => {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function' || prop === 'close') return value;
        return (...args: unknown[]) =>
          this.run(connectionId, () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
      },
    });
  }

  private limitFor(connectionId: string): AdaptiveLimit {
    let limit = this.limits.get(connectionId);
    if (!limit) {
      limit = new AdaptiveLimit({
        ceiling: this.opts.ceiling,
        adaptive: this.opts.adaptive !== false,
        contentionTolerance: this.opts.contentionTolerance,
      });
      this.limits.set(connectionId, limit);
    }
    return limit;
  }
}
