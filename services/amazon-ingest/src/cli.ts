import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '@connector/config';
import { FetchTransport, errorMessage, systemClock } from '@connector/core';
import {
  ConnectionRepository,
  connectionSettingsSchema,
  createDb,
  CredentialsCipher,
  migrateLatest,
  type ConnectionCredentials,
} from '@connector/db';
import { ERP_KINDS, erpFactories, pingErp, type MasterDataToCheck } from '@connector/erp';
import { masterDataExpectations, readMappingsOnce, settlementOptionsOf } from '@connector/mapping';
import { MARKETPLACES } from '@connector/sp-api';
import { z } from 'zod';
import { kafkaRuntimeFromConfig, type KafkaRuntime } from '@connector/kafka';
import { createLogger } from '@connector/observability';
import { SpApiFactory, pingAmazon } from '@connector/sp-api';
import { configSchema } from './config';
import { FileRawArchive } from './archive/raw-archive';
import { KnexIngestStateStore } from './ingest-state/ingest-state.store';
import { SettlementIngestService } from './settlements/settlement-ingest.service';
import { KnexSettlementReportStore } from './settlements/settlement-report.store';

const USAGE = `amazon-ingest connections

  npm run connection -- add --id ID --name NAME --seller SELLER_ID --region na|eu|fe
                        --marketplaces ATVPDKIKX0DER,A2EUQ1WTGCTBG2 --erp SAP_B1|SAGE300|SAGE100|SAGE500
                        --company COMPANY --credentials FILE.json [--settings '{"ordersMode":"auto"}'] [--disabled]
  npm run connection -- list
  npm run connection -- ping --id ID                 check both sides before any data moves: Amazon (LWA, the
                                                     marketplaces the seller sells in) and the ERP (sign-in, then
                                                     the mapped customers, items and every GL account a
                                                     settlement would post to exist); exit status 1 when not
  npm run connection -- reprocess-settlement --id ID --report REPORT_ID   publish an archived settlement report again

The credentials file holds {"amazon":{"lwaClientId","lwaClientSecret","refreshToken"},
"erp":{"baseUrl","user","password","company"}}; it is encrypted (AES-256-GCM, CREDENTIALS_KEY) before it
is stored. Reads amazon-ingest's environment, validated the same way (DATABASE_URL, CREDENTIALS_KEY[_ID],
KAFKA_*, SCHEMA_REGISTRY_*, SPAPI_ENDPOINT, LWA_TOKEN_URL, ARCHIVE_DIR).`;

/** `ping` lives in libs/sp-api, shared with the operator console. */
export { pingAmazon };

/**
 * The customers, items and GL accounts the connection's mappings name, read from the compacted
 * mapping topics as the services read them; null (with a line saying why) when they cannot be read.
 */
async function mappedMasterData(
  runtime: KafkaRuntime,
  conn: { id: string; marketplaceIds: string[]; settings: unknown },
): Promise<{ masterData: MasterDataToCheck | null; line?: string }> {
  try {
    const logger = createLogger({ service: 'connection-cli', level: 'warn' });
    const cache = await readMappingsOnce(runtime, logger, 'connection-cli');
    return { masterData: masterDataExpectations(cache, conn, settlementOptionsOf(conn.settings)) };
  } catch (err) {
    return {
      masterData: null,
      line: `NOT OK mappings: the mapping topics could not be read, so the ERP's customers, items and GL accounts were not checked (${errorMessage(err)})`,
    };
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      id: { type: 'string' },
      name: { type: 'string' },
      seller: { type: 'string' },
      region: { type: 'string' },
      marketplaces: { type: 'string' },
      erp: { type: 'string' },
      company: { type: 'string' },
      credentials: { type: 'string' },
      settings: { type: 'string' },
      disabled: { type: 'boolean', default: false },
      report: { type: 'string' },
    },
  });
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE);
    return command ? 0 : 64;
  }
  const env = loadConfig(configSchema);
  const db = createDb({ url: env.DATABASE_URL, poolMax: 2, applicationName: 'connection-cli' });
  try {
    await migrateLatest(db);
    const repo = new ConnectionRepository(db, CredentialsCipher.fromConfig(env));
    if (command === 'add') {
      const need = ['id', 'seller', 'region', 'marketplaces', 'erp', 'company', 'credentials'] as const;
      const missing = need.filter((k) => !values[k]);
      if (missing.length) throw new Error(`missing --${missing.join(', --')}\n\n${USAGE}`);
      const region = z.enum(['na', 'eu', 'fe']).parse(values.region);
      const marketplaceIds = values.marketplaces!.split(',').map((s) => s.trim());
      for (const m of marketplaceIds) {
        const known = MARKETPLACES.find((x) => x.id === m);
        if (!known) throw new Error(`unknown marketplace id ${m}`);
        if (known.region !== region)
          throw new Error(`marketplace ${m} (${known.country}) is not in region ${region}`);
      }
      const erpKind = z.enum(ERP_KINDS).parse(values.erp);
      const credentials = JSON.parse(readFileSync(values.credentials!, 'utf8')) as ConnectionCredentials;
      const settings = connectionSettingsSchema.partial().parse(JSON.parse(values.settings ?? '{}'));
      const conn = await repo.upsert(
        {
          id: values.id!,
          name: values.name ?? values.id!,
          sellerId: values.seller!,
          region,
          marketplaceIds,
          erpKind,
          erpCompany: values.company!,
          enabled: !values.disabled,
          settings,
        },
        credentials,
      );
      console.log(`connection ${conn.id} saved (credentials encrypted with key ${env.CREDENTIALS_KEY_ID})`);
      return 0;
    }
    if (command === 'list') {
      for (const c of await repo.list(false))
        console.log(
          `${c.id}\t${c.enabled ? 'enabled' : 'disabled'}\t${c.sellerId}\t${c.region}\t${c.marketplaceIds.join(',')}\t${c.erpKind}/${c.erpCompany}`,
        );
      return 0;
    }
    if (command === 'ping') {
      if (!values.id) throw new Error('ping needs --id');
      const conn = await repo.get(values.id);
      const creds = await repo.credentials(values.id);
      const factory = new SpApiFactory(
        { endpoint: env.SPAPI_ENDPOINT, lwaTokenUrl: env.LWA_TOKEN_URL, maxAttempts: 3 },
        undefined,
        undefined,
        systemClock,
      );
      const amazon = await pingAmazon(conn, creds, factory);
      for (const l of amazon.lines) console.log(l);
      const runtime = kafkaRuntimeFromConfig(env, 'connection-cli', {
        logger: createLogger({ service: 'connection-cli', level: 'warn' }),
      });
      const { masterData, line } = await mappedMasterData(runtime, conn);
      if (line) console.log(line);
      const erp = await pingErp(
        conn,
        creds,
        erpFactories(new FetchTransport(15_000), 15_000),
        masterData ?? undefined,
      );
      for (const l of erp.lines) console.log(l);
      return amazon.ok && erp.ok && masterData ? 0 : 1;
    }
    if (command === 'reprocess-settlement') {
      if (!values.id || !values.report) throw new Error('reprocess-settlement needs --id and --report');
      const conn = await repo.get(values.id);
      const runtime = kafkaRuntimeFromConfig(env, 'connection-cli', {
        logger: createLogger({ service: 'connection-cli', level: 'warn' }),
      });
      await runtime.connect();
      try {
        const service = new SettlementIngestService({
          reports: new KnexSettlementReportStore(db),
          state: new KnexIngestStateStore(db),
          archive: new FileRawArchive(env.ARCHIVE_DIR),
          publisher: runtime.publisher,
          clock: systemClock,
          logger: createLogger({ service: 'connection-cli', level: 'info' }),
        });
        const outcome = await service.reprocess(conn, values.report);
        console.log(
          outcome.ok
            ? `settlement ${outcome.settlementId} published again`
            : `rejected again: ${outcome.error}`,
        );
        return outcome.ok ? 0 : 1;
      } finally {
        await runtime.disconnect();
      }
    }
    throw new Error(`unknown command "${command}"\n\n${USAGE}`);
  } finally {
    await db.destroy();
  }
}

if (require.main === module)
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(errorMessage(err));
      process.exit(1);
    },
  );
