import { Controller, Get, Inject } from '@nestjs/common';
import { CONNECTIONS_STORE } from '../tokens';
import type { ConnectionsStore } from './connections.store';

@Controller('api/connections')
export class ConnectionsController {
  constructor(@Inject(CONNECTIONS_STORE) private readonly connections: ConnectionsStore) {}

  @Get()
  list() {
    return this.connections.list();
  }
}
