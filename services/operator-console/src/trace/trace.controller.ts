import { Controller, Get, Inject, Query } from '@nestjs/common';
import { TRACE_SERVICE } from '../tokens';
import type { TraceService } from './trace.service';

@Controller('api/trace')
export class TraceController {
  constructor(@Inject(TRACE_SERVICE) private readonly traces: TraceService) {}

  @Get()
  trace(@Query('q') q = '') {
    return this.traces.trace(q);
  }
}
