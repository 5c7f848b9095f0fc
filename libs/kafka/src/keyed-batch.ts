import type { AdaptiveLimit } from '@connector/core';

export interface KeyedRecord<M> {
  offset: string;
  key: string | null;
  item: M;
}

export interface KeyedBatchOptions<M> {
  /** the lane a key belongs to: records of one lane share a limit (a connection: one ERP company) */
  laneOf(key: string | null): string;
  limitFor(lane: string): AdaptiveLimit;
  /** processes one record */
  run(item: M): Promise<void>;
  /** everything up to and including this offset is done: it may be committed */
  onDone(offset: string): void;
  /** stop starting records (a rebalance, a shutdown); records already running finish */
  shouldStop(): boolean;
}

/** The lane of a record key `<connectionId>/<rest>`: its connection. */
export const connectionLane = (key: string | null): string => (key ? key.split('/')[0] : '');

/**
 * One partition's batch, wider than one record at a time (issue 15): records of one key run in offset
 * order, records of different keys at once, each lane under its own limit. Offsets are
 * reported done only as a prefix — the highest offset below which every record has finished — so a
 * crash or a rebalance redelivers whatever had not, and nothing is acknowledged that was not done.
 * When a record's processing throws (its outcome could not be settled), no further record starts,
 * the running ones finish, and the error is thrown for the batch to be fetched again from the first
 * record not done.
 */
export async function runKeyedBatch<M>(records: KeyedRecord<M>[], opts: KeyedBatchOptions<M>): Promise<void> {
  const done = new Array<boolean>(records.length).fill(false);
  let prefix = 0;
  let failure: { error: unknown } | undefined;
  const chains = new Map<string, number[]>();
  records.forEach((r, i) => {
    const k = r.key ?? `\u0000${r.offset}`;
    chains.set(k, [...(chains.get(k) ?? []), i]);
  });
  const finish = (i: number) => {
    done[i] = true;
    const before = prefix;
    while (prefix < records.length && done[prefix]) prefix++;
    if (prefix > before) opts.onDone(records[prefix - 1].offset);
  };
  const runChain = async (indexes: number[]) => {
    for (const i of indexes) {
      if (failure || opts.shouldStop()) return;
      const r = records[i];
      const permit = await opts.limitFor(opts.laneOf(r.key)).acquire();
      if (failure || opts.shouldStop()) {
        permit.release('failed');
        return;
      }
      try {
        await opts.run(r.item);
        permit.release('ok');
      } catch (error) {
        permit.release('failed');
        failure ??= { error };
        return;
      }
      finish(i);
    }
  };
  await Promise.all([...chains.values()].map(runChain));
  if (failure) throw failure.error;
}
