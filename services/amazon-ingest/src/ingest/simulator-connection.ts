import { Inject, Injectable } from '@nestjs/common';
import type { ConnectionRepository } from '@connector/db';
import { CONFIG, LOGGER } from '@connector/nest-common';
import type { Logger } from '@connector/observability';
import { SAPB1_SIM_LOGIN } from '@connector/sap-b1-simulator';
import { SIM_LWA_CLIENT, SIM_SELLERS, SpApiSimulator } from '@connector/sp-api-simulator';
import type { AppConfig } from '../config';

/**
 * With SIMULATORS=true (the demo, the quick start): an in-process SP-API simulator whose clock is the
 * real one, and a connection for its North American seller, so the schedules read orders, financial
 * events and settlements exactly as they would from Amazon. Its ERP is the SAP Business One simulator
 * sage-writer starts in-process (SAPB1_SIM_PORT).
 */
@Injectable()
export class SimulatorConnection {
  private sim?: SpApiSimulator;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    if (!config.SIMULATORS || config.SPAPI_ENDPOINT) return;
    this.sim = new SpApiSimulator({
      port: config.SPAPI_SIM_PORT,
      startMs: Date.now() - 56 * 86_400_000,
      days: 56,
      ordersPerDay: config.SIM_ORDERS_PER_DAY,
      speedFactor: 50,
    });
  }

  get endpoint(): string | undefined {
    return this.sim ? `http://127.0.0.1:${this.config.SPAPI_SIM_PORT}` : undefined;
  }
  get lwaTokenUrl(): string | undefined {
    return this.sim ? `${this.endpoint}/auth/o2/token` : undefined;
  }

  async register(connections: ConnectionRepository): Promise<void> {
    if (!this.sim) return;
    await this.sim.start();
    const seller = SIM_SELLERS[0];
    await connections.upsert(
      {
        id: this.config.DEMO_CONNECTION_ID,
        name: 'Simulated North American seller',
        sellerId: seller.sellerId,
        region: seller.region,
        marketplaceIds: seller.marketplaces.map((m) => m.id),
        erpKind: 'SAP_B1',
        erpCompany: SAPB1_SIM_LOGIN.companyDb,
        enabled: true,
        settings: {
          ordersIntervalSec: 60,
          ordersMode: 'api',
          backfillDays: 2,
          financesIntervalSec: 300,
          settlementsIntervalSec: 600,
        },
      },
      {
        amazon: {
          lwaClientId: SIM_LWA_CLIENT.clientId,
          lwaClientSecret: SIM_LWA_CLIENT.clientSecret,
          refreshToken: seller.refreshToken,
        },
        erp: {
          baseUrl: `http://127.0.0.1:${this.config.SAPB1_SIM_PORT}/b1s/v1`,
          user: SAPB1_SIM_LOGIN.user,
          password: SAPB1_SIM_LOGIN.password,
          company: SAPB1_SIM_LOGIN.companyDb,
        },
      },
    );
    this.logger.info(
      {
        connectionId: this.config.DEMO_CONNECTION_ID,
        simulator: this.endpoint,
        orders: this.sim.orders.length,
      },
      'SP-API simulator started and its seller registered as a connection',
    );
  }

  async close(): Promise<void> {
    await this.sim?.close();
  }
}
