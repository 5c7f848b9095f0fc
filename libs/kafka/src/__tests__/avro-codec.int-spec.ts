import { PoisonRecordError } from '@connector/core';
import { infraEnv, uniqueName } from '@connector/testing';
import { RegistryAvroCodec } from '../avro-codec';

const v1 = {
  type: 'record',
  name: 'Thing',
  namespace: 'connector.test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 18, scale: 2 } },
  ],
};
/** what a newer reader expects: a field the old writer did not have, with its default */
const v2 = { ...v1, fields: [...v1.fields, { name: 'note', type: ['null', 'string'], default: null }] };

describe('RegistryAvroCodec on the real registry', () => {
  const codec = new RegistryAvroCodec({ url: infraEnv('SCHEMA_REGISTRY_URL') });

  it('when records are read with the writer’s schema or a newer one, then each decodes right every time', async () => {
    const subject = `${uniqueName('test.codec')}-value`;
    const id1 = await codec.register(subject, v1 as never);
    const id2 = await codec.register(subject, v2 as never);
    const old = await codec.encode(id1, { id: 'a', amount: '12.34' });
    const fresh = await codec.encode(id2, { id: 'b', amount: '0.10', note: 'n' });
    // twice each: the reader's type and its resolver are kept after the first decode
    for (let i = 0; i < 2; i++) {
      expect(await codec.decode(old, v1 as never)).toEqual({ id: 'a', amount: '12.34' });
      expect(await codec.decode(old, v2 as never)).toEqual({ id: 'a', amount: '12.34', note: null });
      expect(await codec.decode(fresh, v2 as never)).toEqual({ id: 'b', amount: '0.10', note: 'n' });
    }
  });

  it('when a record names a schema id the registry does not know, or has a wrong magic byte, then it is a poison record', async () => {
    const subject = `${uniqueName('test.codec')}-value`;
    const id = await codec.register(subject, v1 as never);
    const good = await codec.encode(id, { id: 'a', amount: '1.00' });
    const unknown = Buffer.from(good);
    unknown.writeInt32BE(2_000_000_000, 1);
    await expect(codec.decode(unknown, v1 as never)).rejects.toThrow(PoisonRecordError);
    await expect(codec.decode(unknown, v1 as never)).rejects.toThrow(/schema id 2000000000 is unknown/);
    const magic = Buffer.from(good);
    magic[0] = 7;
    await expect(codec.decode(magic, v1 as never)).rejects.toThrow(PoisonRecordError);
    const truncated = good.subarray(0, good.length - 2);
    await expect(codec.decode(truncated, v1 as never)).rejects.toThrow(PoisonRecordError);
  });
});
