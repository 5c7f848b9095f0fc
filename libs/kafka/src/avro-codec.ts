import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
// the error classes are not re-exported by the package's index
import {
  ConfluentSchemaRegistryArgumentError,
  ConfluentSchemaRegistryValidationError,
} from '@kafkajs/confluent-schema-registry/dist/errors';
import avro from 'avsc';
import { avroTypeOptions } from './avro-decimal.type';
import { NonRetriableError, PoisonRecordError, RetriableError } from '@connector/core';

/** Encodes and decodes event values in the Confluent wire format (magic 0, schema id, Avro body). */
export interface EventCodec {
  /** registers `schema` under `subject` (BACKWARD compatibility) and returns its id */
  register(subject: string, schema: avro.Schema): Promise<number>;
  /** the id of the latest version of `subject`; fails if the subject does not exist */
  latestId(subject: string): Promise<number>;
  encode(schemaId: number, value: unknown): Promise<Buffer>;
  /** decodes with the writer's schema resolved into `readerSchema` when given */
  decode<T>(buffer: Buffer, readerSchema?: avro.Schema): Promise<T>;
}

export interface RegistrySettings {
  url: string;
  username?: string;
  password?: string;
}

function httpStatus(err: unknown): number | undefined {
  return err && typeof err === 'object' && 'status' in err && typeof err.status === 'number'
    ? err.status
    : undefined;
}

/**
 * Registry failures: 4xx (other than 408/429) are the caller's fault and final; the rest may pass.
 * One 409 is not: two processes registering a new subject at the same moment make Apicurio answer
 * the second with "A rule named 'COMPATIBILITY' already exists" (it creates the subject and its rule
 * in one go). That is a race, not a schema problem: the retry finds the schema registered. (An
 * incompatible schema is a 409 too, and stays final.)
 */
export function registryError(op: string, err: unknown): Error {
  const status = httpStatus(err);
  const message = `schema registry ${op} failed${status ? ` (HTTP ${status})` : ''}: ${err instanceof Error ? err.message : String(err)}`;
  if (status === 409 && /already exists/i.test(message))
    return new RetriableError('SCHEMA_REGISTRY_CONFLICT', message, { cause: err });
  // the registry client reports a refused or cut connection as HTTP 400 (a registry that is away,
  // tools/faults): that is an outage, waited out, not a rejection
  const away = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|socket hang up/i.test(message);
  if (!away && status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return new NonRetriableError('SCHEMA_REGISTRY_REJECTED', message, { cause: err });
  }
  return new RetriableError('SCHEMA_REGISTRY_UNAVAILABLE', message, {
    cause: err,
    retryAfterMs: REGISTRY_AWAY_RETRY_AFTER_MS,
  });
}

/** How long a record waits for a registry that is away or failing before it is decoded again. */
export const REGISTRY_AWAY_RETRY_AFTER_MS = 5_000;

export class RegistryAvroCodec implements EventCodec {
  private readonly registry: SchemaRegistry;
  /**
   * Per reader schema (by identity: the generated schema objects), its type and, per writer schema
   * id, how to read it. The registry client builds the reader type and a resolver again on every
   * decode; that was a fifth of sage-writer's CPU end to end (issue 15, tools/bench/writer-e2e-bench.ts).
   */
  private readonly readers = new WeakMap<
    object,
    { type: avro.Type; byWriter: Map<number, ReturnType<avro.Type['createResolver']> | 'same'> }
  >();

  constructor({ url, username, password }: RegistrySettings) {
    this.registry = new SchemaRegistry(
      {
        host: url,
        auth: username ? { username, password: password ?? '' } : undefined,
        retry: { retries: 3 },
      },
      { [SchemaType.AVRO]: avroTypeOptions() },
    );
  }

  async register(subject: string, schema: avro.Schema): Promise<number> {
    try {
      const { id } = await this.registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
        { subject },
      );
      return id;
    } catch (err) {
      throw registryError(`register ${subject}`, err);
    }
  }

  async latestId(subject: string): Promise<number> {
    try {
      return await this.registry.getLatestSchemaId(subject);
    } catch (err) {
      throw registryError(`lookup ${subject}`, err);
    }
  }

  async encode(schemaId: number, value: unknown): Promise<Buffer> {
    try {
      return await this.registry.encode(schemaId, value);
    } catch (err) {
      if (err instanceof ConfluentSchemaRegistryValidationError) {
        const paths = err.paths.map((p) => p.join('.')).join(', ');
        throw new NonRetriableError('INVALID_EVENT', `event does not match schema ${schemaId} at: ${paths}`, {
          cause: err,
        });
      }
      throw registryError(`encode with schema ${schemaId}`, err);
    }
  }

  async decode<T>(buffer: Buffer, readerSchema?: avro.Schema): Promise<T> {
    if (!Buffer.isBuffer(buffer) || buffer.length < 5) {
      throw new PoisonRecordError(
        `record value is not in the Confluent wire format (${buffer?.length ?? 0} bytes)`,
      );
    }
    try {
      if (!readerSchema || typeof readerSchema !== 'object') return (await this.registry.decode(buffer)) as T;
      if (buffer[0] !== 0)
        throw new PoisonRecordError(
          `Message encoded with magic byte ${JSON.stringify(buffer.subarray(0, 1))}, expected 0`,
        );
      const writerId = buffer.readInt32BE(1);
      const writer = (await this.registry.getSchema(writerId)) as unknown as avro.Type;
      if (!(writer instanceof avro.Type)) return (await this.registry.decode(buffer)) as T;
      let reader = this.readers.get(readerSchema);
      if (!reader) {
        reader = { type: avro.Type.forSchema(readerSchema, avroTypeOptions()), byWriter: new Map() };
        this.readers.set(readerSchema, reader);
      }
      let how = reader.byWriter.get(writerId);
      if (!how) {
        // equal schemas are read with the reader's own type (its options: decimals, timestamps)
        how = reader.type.equals(writer) ? 'same' : reader.type.createResolver(writer);
        reader.byWriter.set(writerId, how);
      }
      const payload = buffer.subarray(5);
      return (how === 'same' ? reader.type.fromBuffer(payload) : reader.type.fromBuffer(payload, how)) as T;
    } catch (err) {
      if (err instanceof PoisonRecordError) throw err;
      if (err instanceof ConfluentSchemaRegistryArgumentError)
        throw new PoisonRecordError(err.message, { cause: err });
      const status = httpStatus(err);
      if (status === 404) {
        throw new PoisonRecordError(`schema id ${buffer.readInt32BE(1)} is unknown to the registry`, {
          cause: err,
        });
      }
      if (
        status === undefined &&
        err instanceof Error &&
        !/ECONN|ETIMEDOUT|socket|network|fetch/i.test(err.message)
      ) {
        throw new PoisonRecordError(`record cannot be decoded: ${err.message}`, { cause: err });
      }
      throw registryError('decode', err);
    }
  }
}
