import { Body, Controller, Get, Header, Inject, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { JOURNAL_CATEGORIES } from '@connector/mapping';
import { parse } from '../auth/auth.controller';
import type { ConsoleUser } from '../auth/auth.store';
import { ForbiddenError, InvalidRequestError } from '../auth/errors';
import { can } from '../auth/roles';
import { CurrentUser, Requires } from '../http/decorators';
import { MAPPINGS_SERVICE } from '../tokens';
import { isMappingKind, type MappingsService } from './mappings.service';

const glSchema = z.object({
  connectionId: z.string().min(1),
  transactionType: z.string().min(1),
  amountType: z.string().min(1),
  amountDescription: z.string().min(1),
  marketplaceId: z.string().min(1).optional(),
  account: z.string().min(1).max(64),
  category: z.enum(JOURNAL_CATEGORIES),
});
const skuSchema = z.object({
  connectionId: z.string().min(1),
  sellerSku: z.string().min(1),
  itemCode: z.string().min(1).max(64),
  marketplaceId: z.string().min(1).optional(),
});
const importSchema = z.object({ connectionId: z.string().min(1), csv: z.string().min(1).max(5_000_000) });

@Controller('api')
export class MappingsController {
  constructor(@Inject(MAPPINGS_SERVICE) private readonly mappings: MappingsService) {}

  @Get('unmapped')
  unmapped(@Query('connection') connection?: string) {
    return this.mappings.unmapped(connection || undefined);
  }

  @Requires('map-gl')
  @Post('mappings/gl-accounts')
  mapGl(@CurrentUser() user: ConsoleUser, @Body() body: unknown) {
    return this.mappings.mapGlLine(user, parse(glSchema, body));
  }

  @Requires('map-operations')
  @Post('mappings/skus')
  mapSku(@CurrentUser() user: ConsoleUser, @Body() body: unknown) {
    return this.mappings.mapSku(user, parse(skuSchema, body));
  }

  @Get('mappings/:kind.csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  export(@Param('kind') kind: string, @Query('connection') connection: string) {
    if (!isMappingKind(kind))
      throw new InvalidRequestError('kind is skus, customers, glAccounts or carriers');
    if (!connection) throw new InvalidRequestError('connection is required');
    return this.mappings.exportCsv(kind, connection);
  }

  /** The current mappings of a kind for a connection, as the mapping topics hold them. */
  @Get('mappings/:kind')
  list(@Param('kind') kind: string, @Query('connection') connection: string) {
    if (!isMappingKind(kind))
      throw new InvalidRequestError('kind is skus, customers, glAccounts or carriers');
    if (!connection) throw new InvalidRequestError('connection is required');
    return this.mappings.list(kind, connection);
  }

  /** CSV import: GL accounts need an accountant, the others an operator (checked below, as the kind says). */
  @Requires('map-gl')
  @Post('mappings/:kind/import')
  import(@CurrentUser() user: ConsoleUser, @Param('kind') kind: string, @Body() body: unknown) {
    if (!isMappingKind(kind))
      throw new InvalidRequestError('kind is skus, customers, glAccounts or carriers');
    if (kind !== 'glAccounts' && !can(user.role, 'map-operations'))
      throw new ForbiddenError('map-operations');
    const { connectionId, csv } = parse(importSchema, body);
    return this.mappings.importCsv(user, kind, connectionId, csv);
  }
}
