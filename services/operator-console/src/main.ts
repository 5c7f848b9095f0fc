import { runService } from '@connector/nest-common';
import { appModule } from './app.module';
import { configSchema } from './config';

void runService('operator-console', configSchema, appModule);
