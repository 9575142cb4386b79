import { Controller, Get, Logger, Req, Res, UseFilters, UseGuards, type OnModuleDestroy } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { problemFor, type CommandEvent } from '@app/billing';
import type { Request, Response } from 'express';
import { concatMap, filter, type Subscription } from 'rxjs';
import { Public } from '../auth/roles.decorator.js';
import { CommandEventsService } from '../commands/command-events.service.js';
import { DashboardHtmlFilter } from './dashboard-html.filter.js';
import { CurrentSession, DashboardSessionGuard } from './session/dashboard-session.guard.js';
import { DashboardSessionService, type DashboardSession } from './session/dashboard-session.service.js';

/** A comment line this often keeps proxies from closing an idle stream, and re-checks the session. */
const HEARTBEAT_MS = 20_000;
/** Live streams per dashboard session (a few tabs); each holds a connection and a subscription. */
export const MAX_STREAMS_PER_SESSION = 5;

/**
 * GET /dashboard/events: server-sent events for the open dashboard pages. One `command` event
 * `{ id, type, status }` per command of the session's clinic reaching its final status (the
 * worker's NOTIFY, relayed by CommandEventsService once committed). The session is re-checked
 * before each event and on each heartbeat: a revoked key's stream ends, and the browser's
 * reconnection then gets a 401. At most MAX_STREAMS_PER_SESSION live streams per session (in this
 * API process): the next gets a 429 too_many_streams problem until one closes.
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
  /** Live streams by session id. */
  private readonly perSession = new Map<string, number>();

  constructor(
    private readonly commandEvents: CommandEventsService,
    private readonly sessions: DashboardSessionService,
  ) {}

  @Get('events')
  stream(@CurrentSession() session: DashboardSession, @Req() req: Request, @Res() res: Response): void {
    const live = this.perSession.get(session.id) ?? 0;
    if (live >= MAX_STREAMS_PER_SESSION) {
      // A problem, not the filter's HTML page: a script opened this. EventSource does not retry a 429.
      const problem = problemFor('too_many_streams', `This session already has ${live} live event streams, the most it may have: close a dashboard tab`);
      res.status(problem.status).type('application/problem+json').json(problem);
      return;
    }
    this.perSession.set(session.id, live + 1);
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
      this.release(session.id);
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

  private release(sessionId: string): void {
    const live = (this.perSession.get(sessionId) ?? 1) - 1;
    if (live > 0) this.perSession.set(sessionId, live);
    else this.perSession.delete(sessionId);
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
