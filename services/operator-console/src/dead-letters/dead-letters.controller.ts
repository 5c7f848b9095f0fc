import { Body, Controller, Get, Inject, Post } from '@nestjs/common';
import { z } from 'zod';
import { parse } from '../auth/auth.controller';
import type { ConsoleUser } from '../auth/auth.store';
import { CurrentUser, Requires } from '../http/decorators';
import { DEAD_LETTERS_SERVICE } from '../tokens';
import type { DeadLettersService } from './dead-letters.service';

const topic = z.string().regex(/^[a-z0-9.-]+$/);
const groupSchema = z.object({ topic, code: z.string().min(1).max(100) });
const oneSchema = z.object({ topic, partition: z.number().int().min(0), offset: z.string().regex(/^\d+$/) });

@Controller('api/dead-letters')
export class DeadLettersController {
  constructor(@Inject(DEAD_LETTERS_SERVICE) private readonly deadLetters: DeadLettersService) {}

  @Get()
  list() {
    return this.deadLetters.list();
  }

  @Requires('redrive')
  @Post('redrive-group')
  group(@CurrentUser() user: ConsoleUser, @Body() body: unknown) {
    const { topic: t, code } = parse(groupSchema, body);
    return this.deadLetters.redriveGroup(user, t, code);
  }

  @Requires('redrive')
  @Post('redrive-one')
  one(@CurrentUser() user: ConsoleUser, @Body() body: unknown) {
    const r = parse(oneSchema, body);
    return this.deadLetters.redriveOne(user, r.topic, r.partition, r.offset);
  }
}
