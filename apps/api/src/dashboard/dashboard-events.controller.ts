import { Controller, Get, Logger, Req, Res, UseFilters, UseGuards, type OnModuleDestroy } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { CommandEvent } from '@app/billing';
import type { Request, Response } from 'express';
import { concatMap, filter, type Subscription } from 'rxjs';
import { Public } from '../auth/roles.decorator.js';
import { CommandEventsService } from '../commands/command-events.service.js';
import { DashboardHtmlFilter } from './dashboard-html.filter.js';
import { CurrentSession, DashboardSessionGuard } from './session/dashboard-session.guard.js';
import { DashboardSessionService, type DashboardSession } from './session/dashboard-session.service.js';

/** A comment line this often keeps proxies from closing an idle stream, and re-checks the session. */
const HEARTBEAT_MS = 20_000;

/**
 * GET /dashboard/events: server-sent events for the open dashboard pages. One `command` event
 * `{ id, type, status }` per command of the session's clinic reaching its final status (the
 * worker's NOTIFY, relayed by CommandEventsService once committed). The session is re-checked
 * before each event and on each heartbeat: a revoked key's stream ends, and the browser's
 * reconnection then gets a 401.
 */
@ApiExcludeController()
@Public()
@UseGuards(DashboardSessionGuard)
@UseFilters(DashboardHtmlFilter)
@Controller('dashboard')
export class DashboardEventsController implements OnModuleDestroy {
  private readonly logger = new Logger('DashboardEvents');
  /** Open streams, ended when the app shuts down (an open response would hold the server open). */
  private readonly open = new Set<() => void>();

  constructor(
    private readonly commandEvents: CommandEventsService,
    private readonly sessions: DashboardSessionService,
  ) {}

  @Get('events')
  stream(@CurrentSession() session: DashboardSession, @Req() req: Request, @Res() res: Response): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n: connected\n\n');

    // Declared before close(): a completed event source completes the subscription synchronously.
    let subscription: Subscription | undefined;
    let heartbeat: NodeJS.Timeout | undefined;
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      subscription?.unsubscribe();
      clearInterval(heartbeat);
      this.open.delete(close);
      if (!res.writableEnded) res.end();
    };
    this.open.add(close);
    req.on('close', close);

    const valid = () => this.sessions.stillValid(session).catch(() => false);
    heartbeat = setInterval(() => {
      void valid().then((ok) => (ok ? res.write(': ping\n\n') : close()));
    }, HEARTBEAT_MS);
    heartbeat.unref();
    subscription = this.commandEvents.events
      .pipe(
        filter((event) => event.clinicId === session.clinicId),
        concatMap(async (event) => ({ event, ok: await valid() })),
      )
      .subscribe({
        next: ({ event, ok }) => (ok && !closed ? res.write(formatEvent(event)) : close()),
        error: (error: Error) => {
          this.logger.warn(`Dashboard event stream failed: ${error.message}`);
          close();
        },
        complete: () => close(),
      });
    if (closed) subscription.unsubscribe();
  }

  /** Ends every open stream (browsers reconnect to another instance, or after a restart). */
  endAllStreams(): void {
    for (const close of [...this.open]) close();
  }

  onModuleDestroy(): void {
    this.endAllStreams();
  }
}

function formatEvent(event: CommandEvent): string {
  return `event: command\nid: ${event.id}\ndata: ${JSON.stringify({ id: event.id, type: event.type, status: event.status })}\n\n`;
}
