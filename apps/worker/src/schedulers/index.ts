import type { Provider } from '@nestjs/common';
import { MaintenanceProcessor } from './maintenance.processor.js';

/** BullMQ job schedulers and their processors. */
export const SCHEDULERS: Provider[] = [MaintenanceProcessor];
