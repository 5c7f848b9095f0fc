import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { ConnectorMetrics } from '@connector/observability';
import { METRICS } from './tokens';

@Controller()
export class MetricsController {
  constructor(@Inject(METRICS) private readonly metrics: ConnectorMetrics) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.text();
  }
}
