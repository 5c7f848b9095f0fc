import avro from 'avsc';
import { avroTypeOptions, bigintToBytes, bytesToBigint } from '../avro-decimal.type';

const schema = {
  type: 'record',
  name: 'Payment',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 18, scale: 4 } },
  ],
} as const;

describe('Avro decimal', () => {
  const type = avro.Type.forSchema(schema as unknown as avro.Schema, avroTypeOptions());

  it.each([
    ['12345.67', '12345.6700'],
    ['-0.01', '-0.0100'],
    ['0', '0.0000'],
    ['99999999999999.9999', '99999999999999.9999'],
    ['-99999999999999.9999', '-99999999999999.9999'],
  ])('when %s is encoded and decoded, then it comes back exactly as %s', (input, expected) => {
    const decoded = type.fromBuffer(type.toBuffer({ id: 'p', amount: input })) as { amount: string };
    expect(decoded.amount).toBe(expected);
  });

  it('when a JavaScript number is given, then encoding fails instead of rounding', () => {
    expect(type.isValid({ id: 'p', amount: 12.5 })).toBe(false);
    expect(() => type.toBuffer({ id: 'p', amount: 12.5 })).toThrow(/decimal string/);
  });

  it('when the value has too many digits, then encoding fails', () => {
    expect(() => type.toBuffer({ id: 'p', amount: '1.23456' })).toThrow();
    expect(() => type.toBuffer({ id: 'p', amount: '100000000000000' })).toThrow(/overflow/);
  });

  it("when bigints are encoded, then the bytes are Java BigInteger's two's complement", () => {
    const cases: Array<[bigint, string]> = [
      [0n, '00'],
      [1n, '01'],
      [127n, '7f'],
      [128n, '0080'],
      [-1n, 'ff'],
      [-128n, '80'],
      [-129n, 'ff7f'],
      [1234567n, '12d687'],
    ];
    for (const [n, hex] of cases) {
      expect(bigintToBytes(n).toString('hex')).toBe(hex);
      expect(bytesToBigint(Buffer.from(hex, 'hex'))).toBe(n);
    }
  });
});
