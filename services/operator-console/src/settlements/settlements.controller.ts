import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import type { ConsoleUser } from '../auth/auth.store';
import { CurrentUser, Requires } from '../http/decorators';
import type { MappingsService } from '../mappings/mappings.service';
import { MAPPINGS_SERVICE, SETTLEMENTS_SERVICE } from '../tokens';
import type { SettlementsService } from './settlements.service';

@Controller('api/settlements')
export class SettlementsController {
  constructor(
    @Inject(SETTLEMENTS_SERVICE) private readonly settlements: SettlementsService,
    @Inject(MAPPINGS_SERVICE) private readonly mappings: MappingsService,
  ) {}

  @Get()
  list(@Query('connection') connection?: string) {
    return this.settlements.list(connection || undefined);
  }

  @Get('fees')
  fees(@Query('connection') connection?: string) {
    return this.settlements.feesByCategory(connection || undefined);
  }

  @Get(':connection/:settlement')
  detail(@Param('connection') connection: string, @Param('settlement') settlement: string) {
    return this.settlements.detail(connection, settlement);
  }

  @Requires('rerun-settlement')
  @Post(':connection/:settlement/rerun')
  @HttpCode(202)
  async rerun(
    @CurrentUser() user: ConsoleUser,
    @Param('connection') connection: string,
    @Param('settlement') settlement: string,
  ) {
    await this.mappings.rerun(user, connection, settlement);
    return { rerun: [settlement] };
  }
}
