import { Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import type { Logger } from '@connector/observability';
import { LOGGER } from '@connector/nest-common';
import type { ConsoleUser } from '../auth/auth.store';
import { CurrentUser, Requires } from '../http/decorators';
import { CONNECTIONS_STORE, PING_PORT } from '../tokens';
import type { ConnectionsStore } from './connections.store';
import type { PingPort } from './ping.port';

@Controller('api/connections')
export class ConnectionsController {
  constructor(
    @Inject(CONNECTIONS_STORE) private readonly connections: ConnectionsStore,
    @Inject(PING_PORT) private readonly pings: PingPort,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get()
  list() {
    return this.connections.list();
  }

  /** An LWA token exchange and a marketplace call with the connection's stored credentials. */
  @Requires('ping')
  @Post(':id/ping')
  @HttpCode(200)
  async ping(@CurrentUser() user: ConsoleUser, @Param('id') id: string) {
    const result = await this.pings.ping(id);
    this.logger.info(
      { userId: user.id, connectionId: id, ok: result.ok },
      'connection pinged from the console',
    );
    return result;
  }
}
