import { TOPIC_CATALOGUE } from '@connector/events';
import { KafkaRuntime } from '@connector/kafka';
import { silentLogger } from '@connector/observability';
import { infraEnv, uniqueName, waitFor } from '@connector/testing';
import {
  MappingCache,
  MappingTopicsLoader,
  mappingRecords,
  masterDataExpectations,
  publishMappings,
  readMappingsOnce,
  settlementOptionsOf,
} from '../index';

describe('mapping topics on a real broker', () => {
  const prefix = `${uniqueName('map')}.`;
  const runtime = new KafkaRuntime({
    service: 'mapping-test',
    kafka: { brokers: infraEnv('KAFKA_BROKERS').split(','), clientId: 'mapping-test' },
    registry: { url: infraEnv('SCHEMA_REGISTRY_URL') },
    topicPrefix: prefix,
    catalogue: TOPIC_CATALOGUE,
    groupId: `${prefix}g`,
    autoRegister: true,
    ensureTopics: true,
    consumer: { maxAttempts: 1, retryBaseMs: 1, retryMaxMs: 1 },
    logger: silentLogger(),
  });
  afterAll(() => runtime.disconnect());

  it('when mappings, an update and a tombstone are on the compacted topics, then the loader is ready with the latest state and follows later changes', async () => {
    await runtime.connect();
    const publish = async (file: unknown) => {
      await publishMappings(runtime.publisher, mappingRecords(file, Date.now()));
    };
    await publish({
      connectionId: 'c1',
      skus: [
        { sellerSku: 'A', itemCode: 'OLD' },
        { sellerSku: 'B', itemCode: 'ITEM-B' },
      ],
      customers: [{ marketplaceId: 'ATVPDKIKX0DER', customerCode: 'AMZ-US', currency: 'USD' }],
    });
    await publish({
      connectionId: 'c1',
      skus: [
        { sellerSku: 'A', itemCode: 'NEW' },
        { sellerSku: 'B', delete: true },
      ],
    });

    const cache = new MappingCache();
    const loader = new MappingTopicsLoader(runtime, cache, silentLogger(), `${prefix}test`);
    await loader.start();
    await loader.ready;
    expect(cache.sku('c1', 'A', 'ATVPDKIKX0DER').itemCode).toBe('NEW');
    expect(() => cache.sku('c1', 'B', 'ATVPDKIKX0DER')).toThrow(/no ERP item/);
    expect(cache.customer('c1', 'ATVPDKIKX0DER').customerCode).toBe('AMZ-US');

    await publish({ connectionId: 'c1', skus: [{ sellerSku: 'B', itemCode: 'ITEM-B2' }] });
    await waitFor(
      () => {
        try {
          return cache.sku('c1', 'B', 'ATVPDKIKX0DER').itemCode === 'ITEM-B2';
        } catch {
          return false;
        }
      },
      { what: 'the fixed mapping' },
    );
    await loader.stop();
  });

  it('when connection ping reads the mapping topics once, then it knows every customer, item and GL account the connection relies on, and how each is fixed', async () => {
    await runtime.connect();
    await publishMappings(
      runtime.publisher,
      mappingRecords(
        {
          connectionId: 'p1',
          skus: [{ sellerSku: 'SKU-9', itemCode: 'ITEM-9' }],
          customers: [
            { marketplaceId: 'A2EUQ1WTGCTBG2', customerCode: 'AMZ-CA', currency: 'CAD', arAccount: '1105' },
          ],
          glAccounts: [
            {
              transactionType: 'Refund',
              amountType: 'ItemFees',
              amountDescription: 'RefundCommission',
              account: '6115-CA',
              category: 'REFUND_COMMISSION',
            },
          ],
        },
        Date.now(),
      ),
    );
    const cache = await readMappingsOnce(runtime, silentLogger(), `${prefix}ping`);
    const { expectations, unmapped } = masterDataExpectations(
      cache,
      { id: 'p1', marketplaceIds: ['A2EUQ1WTGCTBG2'] },
      settlementOptionsOf({}),
    );
    expect(unmapped).toEqual([]);
    expect(expectations).toEqual(
      expect.arrayContaining([
        {
          kind: 'CUSTOMER',
          code: 'AMZ-CA',
          usedFor: ['the customer for marketplace A2EUQ1WTGCTBG2'],
          fix: expect.any(String) as unknown,
        },
        {
          kind: 'ITEM',
          code: 'ITEM-9',
          usedFor: ['SKU SKU-9'],
          fix: "map 'SKU SKU-9' to an item that exists",
        },
        {
          kind: 'GL_ACCOUNT',
          code: '6115-CA',
          usedFor: ['refund commission'],
          fix: "map 'Refund ItemFees RefundCommission' to an account that exists",
        },
        expect.objectContaining({
          kind: 'GL_ACCOUNT',
          code: '1105',
          usedFor: ['receivable of customer AMZ-CA'],
        }),
      ]),
    );
    // the connection's rule wins: the default account for refund commission is not posted to
    expect(expectations.find((e) => e.code === '6110')).toBeUndefined();
    // the invoiced lines clear AMZ-CA's receivable: the default sales account is the invoices' business, not the settlement's
    expect(expectations.find((e) => e.code === '4000')).toBeUndefined();
    expect(expectations.find((e) => e.code === '6100')).toMatchObject({ usedFor: ['Amazon fees'] });
  });
});
