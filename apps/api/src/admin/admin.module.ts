import { Module } from '@nestjs/common';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { COMMANDS_QUEUE, MAINTENANCE_QUEUE } from '@app/billing';
import { DashboardSessionModule } from '../dashboard/session/index.js';
import { BullBoardAccess } from './bull-board-access.js';

export const BULL_BOARD_ROUTE = '/admin/queues';

@Module({ imports: [DashboardSessionModule], providers: [BullBoardAccess], exports: [BullBoardAccess] })
class BullBoardAccessModule {}

/** Bull Board at /admin/queues over the API's queues, for the platform operator (BullBoardAccess). */
@Module({
  imports: [
    BullBoardModule.forRootAsync({
      imports: [BullBoardAccessModule],
      inject: [BullBoardAccess],
      useFactory: (access: BullBoardAccess) => ({
        route: BULL_BOARD_ROUTE,
        adapter: ExpressAdapter,
        middleware: access.middleware(),
        boardOptions: { uiConfig: { boardTitle: 'Clinic Billing' } },
      }),
    }),
    // Read-only: Postgres is the record of every command (the sweeper re-queues what Redis lost),
    // so a retried or removed job here would only confuse it.
    BullBoardModule.forFeature(
      { name: COMMANDS_QUEUE, adapter: BullMQAdapter, options: { readOnlyMode: true } },
      { name: MAINTENANCE_QUEUE, adapter: BullMQAdapter, options: { readOnlyMode: true } },
    ),
  ],
})
export class AdminModule {}
