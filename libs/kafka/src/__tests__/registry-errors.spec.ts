import { isRetriable } from '@connector/core';
import { REGISTRY_AWAY_RETRY_AFTER_MS, registryError } from '../avro-codec';

const answer = (status: number, message: string) => Object.assign(new Error(message), { status });

describe('schema registry errors', () => {
  it('when two processes register a new subject at once and the registry answers 409 "already exists", then it is retriable', () => {
    const err = registryError(
      'register t-value',
      answer(409, "Confluent_Schema_Registry - A rule named 'COMPATIBILITY' already exists."),
    );
    expect(err).toMatchObject({ code: 'SCHEMA_REGISTRY_CONFLICT', retriable: true });
  });

  it('when the schema is incompatible (409) or malformed (422), then it is final', () => {
    const incompatible = registryError(
      'register t-value',
      answer(409, 'Schema being registered is incompatible with an earlier schema'),
    );
    expect(incompatible).toMatchObject({ code: 'SCHEMA_REGISTRY_REJECTED', retriable: false });
    expect(isRetriable(registryError('register t-value', answer(422, 'Invalid schema')))).toBe(false);
  });

  it('when the registry is down or throttles, then it is retriable', () => {
    expect(isRetriable(registryError('lookup t-value', answer(503, 'unavailable')))).toBe(true);
    expect(isRetriable(registryError('lookup t-value', answer(429, 'slow down')))).toBe(true);
    expect(isRetriable(registryError('lookup t-value', new Error('ECONNREFUSED')))).toBe(true);
  });

  it('when the client reports a refused connection as HTTP 400 (the registry is away), then it is an outage with a wait', () => {
    const err = registryError(
      'decode',
      answer(400, 'Confluent_Schema_Registry - Error, status 400: connect ECONNREFUSED 127.0.0.1:28081'),
    );
    expect(err).toMatchObject({
      code: 'SCHEMA_REGISTRY_UNAVAILABLE',
      retriable: true,
      retryAfterMs: REGISTRY_AWAY_RETRY_AFTER_MS,
    });
  });
});
