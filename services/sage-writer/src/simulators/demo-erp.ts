import { Inject, Injectable } from '@nestjs/common';
import type { EventPublisher } from '@connector/kafka';
import { mappingRecords } from '@connector/mapping';
import { CONFIG, EVENT_PUBLISHER, LOGGER } from '@connector/nest-common';
import type { Logger } from '@connector/observability';
import { SAPB1_SIM_LOGIN, SapB1Simulator } from '@connector/sap-b1-simulator';
import { SIM_SELLERS, SIM_SKU_COUNT, simSku } from '@connector/sp-api-simulator';
// the demo company's chart of accounts is the one the reconciler's default GL mapping posts to
import glMapping from '../../../settlement-reconciler/src/journals/default-gl-mapping.json';
import type { AppConfig } from '../config';

/** The customer the demo books each simulated marketplace to: AMZ-US, AMZ-CA, … */
const customerOf = (currency: string) => `AMZ-${currency.slice(0, 2)}`;

/**
 * With SIMULATORS=true (the demo, the quick start): an in-process SAP Business One Service Layer
 * simulator on SAPB1_SIM_PORT, holding an item per simulated SKU, a customer per marketplace and the
 * GL accounts of the default mapping, and the demo connection's mappings published to the compacted
 * topics (SKU → item of the same code, marketplace → customer). amazon-ingest registers the demo
 * connection with this simulator as its ERP, so orders, journals and receipts land in it.
 */
@Injectable()
export class DemoErp {
  private sim?: SapB1Simulator;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Before the mapping loader starts, so the loader's first read already has the demo mappings. */
  async start(): Promise<void> {
    if (!this.config.SIMULATORS || !this.config.ERP_WRITES) return;
    const skus = Array.from({ length: SIM_SKU_COUNT }, (_, i) => simSku(i));
    const seller = SIM_SELLERS[0];
    const accounts = [...Object.values(glMapping.accounts), ...glMapping.rules.map((r) => r.account)];
    this.sim = new SapB1Simulator({
      port: this.config.SAPB1_SIM_PORT,
      items: skus.map((ItemCode) => ({ ItemCode })),
      customers: seller.marketplaces.map((m) => customerOf(m.currency)),
      accounts: [...new Set(accounts)],
    });
    await this.sim.start();
    const records = mappingRecords(
      {
        connectionId: this.config.DEMO_CONNECTION_ID,
        skus: skus.map((sellerSku) => ({ sellerSku, itemCode: sellerSku })),
        customers: seller.marketplaces.map((m) => ({
          marketplaceId: m.id,
          customerCode: customerOf(m.currency),
          currency: m.currency,
        })),
      },
      Date.now(),
    );
    for (const topic of new Set(records.map((r) => r.topic)))
      await this.publisher.publish(
        topic,
        records.filter((r) => r.topic === topic).map((r) => ({ key: r.key, value: r.value })),
      );
    this.logger.info(
      {
        erp: `${this.sim.url}/b1s/v1`,
        company: SAPB1_SIM_LOGIN.companyDb,
        items: skus.length,
        mappings: records.length,
      },
      'SAP B1 simulator started and the demo mappings published',
    );
  }

  async close(): Promise<void> {
    await this.sim?.close();
  }
}
