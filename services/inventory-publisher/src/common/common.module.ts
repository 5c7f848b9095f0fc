import { Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConnectionRepository, CredentialsCipher, type Db } from '@connector/db';
import type { KafkaRuntime } from '@connector/kafka';
import { MappingCache, MappingTopicsLoader } from '@connector/mapping';
import { CONFIG, DB, KAFKA, LOGGER, METRICS } from '@connector/nest-common';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import { SpApiFactory } from '@connector/sp-api';
import type { AppConfig } from '../config';
import { CONNECTION_REPOSITORY, MAPPING_CACHE, MAPPING_LOADER, SP_API_FACTORY } from './common.tokens';

/**
 * One of each per process, for listings/ and shipments/: the mappings (SKUs, carriers) read from
 * their compacted topics, the connections, and one SP-API client per connection, whose rate limiter
 * counts every call the process makes for a seller, as Amazon does.
 */
@Module({
  providers: [
    { provide: MAPPING_CACHE, useFactory: () => new MappingCache() },
    {
      provide: MAPPING_LOADER,
      useFactory: (kafka: KafkaRuntime, cache: MappingCache, logger: Logger) =>
        new MappingTopicsLoader(kafka, cache, logger, 'connector.inventory-publisher'),
      inject: [KAFKA, MAPPING_CACHE, LOGGER],
    },
    {
      provide: CONNECTION_REPOSITORY,
      useFactory: (db: Db, c: AppConfig) => new ConnectionRepository(db, CredentialsCipher.fromConfig(c)),
      inject: [DB, CONFIG],
    },
    {
      provide: SP_API_FACTORY,
      useFactory: (c: AppConfig, metrics: ConnectorMetrics) =>
        new SpApiFactory({ endpoint: c.SPAPI_ENDPOINT, lwaTokenUrl: c.LWA_TOKEN_URL }, metrics),
      inject: [CONFIG, METRICS],
    },
  ],
  exports: [MAPPING_CACHE, MAPPING_LOADER, CONNECTION_REPOSITORY, SP_API_FACTORY],
})
export class CommonModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(MAPPING_LOADER) private readonly loader: MappingTopicsLoader) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.loader.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loader.stop();
  }
}
