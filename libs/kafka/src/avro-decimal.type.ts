import avro from 'avsc';
import { fromUnscaled, toUnscaled } from '@connector/money';

/** Minimal big-endian two's complement, the encoding Avro's decimal and Java's BigInteger.toByteArray use. */
export function bigintToBytes(n: bigint): Buffer {
  let len = 1;
  while (n < -(1n << BigInt(8 * len - 1)) || n >= 1n << BigInt(8 * len - 1)) len++;
  const unsigned = n < 0n ? (1n << BigInt(8 * len)) + n : n;
  return Buffer.from(unsigned.toString(16).padStart(len * 2, '0'), 'hex');
}

export function bytesToBigint(buf: Buffer): bigint {
  if (buf.length === 0) return 0n;
  const unsigned = BigInt(`0x${buf.toString('hex')}`);
  return buf[0] & 0x80 ? unsigned - (1n << BigInt(buf.length * 8)) : unsigned;
}

/**
 * Avro `decimal` on `bytes` as an exact decimal string in TypeScript ("12.3400"). JavaScript numbers
 * are refused, so a float can never become money. avsc has no built-in decimal type.
 */
export class DecimalType extends avro.types.LogicalType {
  readonly precision: number;
  readonly scale: number;

  constructor(schema: avro.Schema, opts?: avro.ForSchemaOptions) {
    super(schema, opts);
    const s = schema as { precision?: unknown; scale?: unknown };
    if (typeof s.precision !== 'number' || !Number.isInteger(s.precision) || s.precision < 1) {
      throw new Error('decimal: precision must be a positive integer');
    }
    const scale = s.scale ?? 0;
    if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > s.precision) {
      throw new Error('decimal: scale must be an integer in [0, precision]');
    }
    this.precision = s.precision;
    this.scale = scale;
  }

  protected override _fromValue(value: unknown): string {
    return fromUnscaled(bytesToBigint(value as Buffer), this.scale);
  }

  protected override _toValue(value: unknown): Buffer {
    if (typeof value !== 'string') throw new Error(`decimal: expected a decimal string, got ${typeof value}`);
    const unscaled = toUnscaled(value, this.scale);
    if ((unscaled < 0n ? -unscaled : unscaled) >= 10n ** BigInt(this.precision)) {
      throw new Error(`decimal(${this.precision},${this.scale}) overflow: ${value}`);
    }
    return bigintToBytes(unscaled);
  }

  protected override _resolve(type: avro.Type): ((v: unknown) => unknown) | undefined {
    if (type instanceof DecimalType && type.scale === this.scale) return (v) => v;
    return undefined;
  }

  protected override _export(schema: avro.Schema): void {
    const attrs = schema as Record<string, unknown>;
    attrs.precision = this.precision;
    attrs.scale = this.scale;
  }
}

export const AVRO_LOGICAL_TYPES: NonNullable<avro.ForSchemaOptions['logicalTypes']> = {
  decimal: DecimalType,
};

/**
 * Options every avsc Type in the connector is built with. A new object each call: avsc keeps its registry
 * of named types inside the options object, and a shared one would make two schemas that both define
 * connector.common.Money collide.
 */
export function avroTypeOptions(): Partial<avro.ForSchemaOptions> {
  return { logicalTypes: AVRO_LOGICAL_TYPES, assertLogicalTypes: true };
}
