import { infraEnv, uniqueName } from '@connector/testing';
import { checkCompatibility, registerSchema } from '../schema-compat';

const v1 = {
  type: 'record',
  name: 'Thing',
  namespace: 'connector.test',
  fields: [{ name: 'id', type: 'string' }],
};

describe('schema compatibility against the registry', () => {
  const reg = { url: infraEnv('SCHEMA_REGISTRY_URL') };

  it('when a subject is new, an optional field is added, or a required field is added, then the registry says new, compatible, incompatible', async () => {
    const subject = `${uniqueName('test.compat')}-value`;
    expect(await checkCompatibility(reg, subject, v1)).toEqual({ subject, status: 'new' });
    await registerSchema(reg, subject, v1);

    const withOptional = {
      ...v1,
      fields: [...v1.fields, { name: 'note', type: ['null', 'string'], default: null }],
    };
    expect((await checkCompatibility(reg, subject, withOptional)).status).toBe('compatible');

    const withRequired = { ...v1, fields: [...v1.fields, { name: 'amount', type: 'string' }] };
    expect((await checkCompatibility(reg, subject, withRequired)).status).toBe('incompatible');
  });
});
