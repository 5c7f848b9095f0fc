import { TOPIC_CATALOGUE } from '@connector/events';
import { KafkaRuntime } from '@connector/kafka';
import { silentLogger } from '@connector/observability';
import { infraEnv, uniqueName, waitFor } from '@connector/testing';
import { MappingCache, MappingTopicsLoader, mappingRecords, publishMappings } from '../index';

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
});
