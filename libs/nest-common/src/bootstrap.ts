import 'reflect-metadata';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { startService } from './kafka-transport';

/** Creates the Nest application for a service, with its pino logger, shutdown hooks, HTTP on `port` and its consumers. */
export function bootstrapService(
  module: DynamicModule,
  port: number,
  host = '0.0.0.0',
): Promise<INestApplication> {
  return startService(module, {
    port,
    host,
    bufferLogs: true,
    configure: (app) => {
      app.useLogger(app.get(Logger));
      app.enableShutdownHooks();
    },
  });
}
