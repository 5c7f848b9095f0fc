import { Module } from '@nestjs/common';
import type { Knex } from 'knex';
import { DB } from '@connector/nest-common';
import { OrderInboxConsumer } from './order-inbox.consumer';
import { OrderInboxService } from './order-inbox.service';
import { KnexInboxStore } from './order-inbox.store';
import { INBOX_STORE } from './order-inbox.tokens';

@Module({
  providers: [
    { provide: INBOX_STORE, useFactory: (db: Knex) => new KnexInboxStore(db), inject: [DB] },
    OrderInboxService,
    OrderInboxConsumer,
  ],
  exports: [OrderInboxService],
})
export class OrderInboxModule {}
