import { NonRetriableError } from '@connector/core';

/**
 * Record keys are natural keys prefixed with the connection, so that order is kept per entity within a
 * seller account and compaction keeps the latest value per entity.
 */
export const recordKey = (connectionId: string, naturalKey: string) => `${connectionId}/${naturalKey}`;

export function parseRecordKey(key: string): { connectionId: string; naturalKey: string } {
  const at = key.indexOf('/');
  if (at <= 0)
    throw new NonRetriableError(
      'BAD_RECORD_KEY',
      `record key ${JSON.stringify(key)} is not <connectionId>/<naturalKey>`,
    );
  return { connectionId: key.slice(0, at), naturalKey: key.slice(at + 1) };
}
