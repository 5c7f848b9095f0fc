import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { Logger } from 'nestjs-pino';

/** Creates the Nest application for a service, with its pino logger, shutdown hooks, and HTTP listening on `port`. */
export async function bootstrapService(
  module: DynamicModule,
  port: number,
  host = '0.0.0.0',
): Promise<INestApplication> {
  const app = await NestFactory.create(module, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.listen(port, host);
  return app;
}
