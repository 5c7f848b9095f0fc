import {
  ConnectionRepository,
  CredentialsCipher,
  type ConnectionSettingsInput,
  type Db,
} from '@connector/db';
import type { ErpUnderTest } from '@connector/erp/testing';
import type { EventPublisher } from '@connector/kafka';
import { mappingRecords, publishMappings } from '@connector/mapping';

/** The credentials key of the writer's integration tests. */
export const TEST_CREDENTIALS_KEY = Buffer.alloc(32, 7).toString('base64');

/**
 * A connection writing to `erp` (a US seller), stored as the connection CLI would, and its mappings:
 * `SKU-0..SKU-24` onto the ERP's items, the US marketplace onto its customer.
 */
export async function addTestConnection(
  db: Db,
  publisher: EventPublisher,
  erp: ErpUnderTest,
  id: string,
  key = TEST_CREDENTIALS_KEY,
  settings?: ConnectionSettingsInput,
): Promise<void> {
  await new ConnectionRepository(db, new CredentialsCipher('k1', { k1: key })).upsert(
    {
      id,
      name: id,
      sellerId: 'S',
      region: 'na',
      marketplaceIds: ['ATVPDKIKX0DER'],
      erpKind: erp.kind,
      erpCompany: `${id}-co`,
      enabled: true,
      ...(settings ? { settings } : {}),
    },
    { amazon: { lwaClientId: 'x', lwaClientSecret: 'y', refreshToken: 'z' }, erp: erp.credentials() },
  );
  await publishTestMappings(
    publisher,
    erp,
    id,
    Array.from({ length: 25 }, (_, i) => [`SKU-${i}`, erp.items[i % erp.items.length]]),
  );
}

/** SKU → item mappings of a connection, and its US customer. */
export async function publishTestMappings(
  publisher: EventPublisher,
  erp: ErpUnderTest,
  connectionId: string,
  skus: Array<[string, string]>,
): Promise<void> {
  await publishMappings(
    publisher,
    mappingRecords(
      {
        connectionId,
        skus: skus.map(([sellerSku, itemCode]) => ({ sellerSku, itemCode })),
        customers: [{ marketplaceId: 'ATVPDKIKX0DER', customerCode: erp.customer, currency: 'USD' }],
      },
      Date.now(),
    ),
  );
}
