import { Controller, Get, Inject, Query } from '@nestjs/common';
import type { MappingTopicsLoader } from '@connector/mapping';
import { EventPattern, type TopicRecord } from '@connector/nest-common';
import type { ItemChangeService } from './item-change.service';
import type { ListingStore } from './listing.types';
import { MAPPING_LOADER } from '../common/common.tokens';
import { ITEM_CHANGES, LISTING_STORE } from './listings.tokens';

/** Thin consumer: the mappings loaded, the record goes to ItemChangeService. */
@Controller()
export class ItemChangeConsumer {
  constructor(
    @Inject(ITEM_CHANGES) private readonly items: ItemChangeService,
    @Inject(MAPPING_LOADER) private readonly loader: MappingTopicsLoader,
  ) {}

  @EventPattern('erp.item-changes.v1')
  async itemChange(record: TopicRecord<'erp.item-changes.v1'>): Promise<void> {
    await this.loader.ready;
    await this.items.handle(record);
  }
}

/** ERP items that changed but have no SKU in mapping.skus.v1 (never guessed): what the operator maps next. */
@Controller('listings')
export class UnmappedItemsController {
  constructor(@Inject(LISTING_STORE) private readonly store: ListingStore) {}

  @Get('unmapped')
  unmapped(@Query('connectionId') connectionId?: string) {
    return this.store.unmapped(connectionId);
  }
}
