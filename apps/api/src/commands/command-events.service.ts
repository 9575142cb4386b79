import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AppConfig, COMMAND_EVENTS_CHANNEL, type CommandEvent } from '@app/billing';
import pg from 'pg';
import { Subject } from 'rxjs';

/**
 * Command outcomes as they are committed: the worker NOTIFYs in the transaction that finishes a
 * command, so an event here means the outcome is already visible to readers. Feeds
 * `Prefer: wait` and the dashboard's live updates.
 */
@Injectable()
export class CommandEventsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CommandEventsService.name);
  readonly events = new Subject<CommandEvent>();
  /** Requests waiting for one command (Prefer: wait), by command id: O(1) per event. */
  private readonly waiters = new Map<string, Set<(event: CommandEvent | null) => void>>();
  private client: pg.Client | null = null;
  private closing = false;

  constructor(@Inject(AppConfig) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.config.DATABASE_URL });
    client.on('notification', (message) => {
      if (!message.payload) return;
      try {
        const event = JSON.parse(message.payload) as CommandEvent;
        this.waiters.get(event.id)?.forEach((resolve) => resolve(event));
        this.events.next(event);
      } catch {
        this.logger.warn(`Ignoring a malformed command event: ${message.payload}`);
      }
    });
    client.on('error', (error) => {
      this.logger.warn(`Command events connection lost (${error.message}); reconnecting`);
      this.reconnectSoon();
    });
    await client.connect();
    await client.query(`LISTEN ${COMMAND_EVENTS_CHANNEL}`);
    this.client = client;
  }

  /** The command's final event, or null when `timeoutMs` passes first. */
  waitFor(commandId: string, timeoutMs: number): Promise<CommandEvent | null> {
    return new Promise((resolve) => {
      const waiting = this.waiters.get(commandId) ?? new Set();
      this.waiters.set(commandId, waiting);
      const done = (event: CommandEvent | null) => {
        clearTimeout(timer);
        waiting.delete(done);
        if (waiting.size === 0) this.waiters.delete(commandId);
        resolve(event);
      };
      const timer = setTimeout(() => done(null), timeoutMs);
      waiting.add(done);
    });
  }

  private reconnectSoon(): void {
    const old = this.client;
    this.client = null;
    old?.end().catch(() => undefined);
    if (this.closing) return;
    setTimeout(() => this.connect().catch(() => this.reconnectSoon()), 1000).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    this.events.complete();
    await this.client?.end().catch(() => undefined);
  }
}
