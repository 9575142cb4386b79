import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { COMMAND_EVENTS_CHANNEL, type CommandEvent } from '@app/billing';
import { Subject } from 'rxjs';
import { DatabaseNotifications } from '../common/database-notifications.service.js';

/**
 * Command outcomes as they are committed: the worker NOTIFYs in the transaction that finishes a
 * command, so an event here means the outcome is already visible to readers. Feeds
 * `Prefer: wait` and the dashboard's live updates.
 */
@Injectable()
export class CommandEventsService implements OnApplicationShutdown {
  private readonly logger = new Logger(CommandEventsService.name);
  readonly events = new Subject<CommandEvent>();
  /** Requests waiting for one command (Prefer: wait), by command id: O(1) per event. */
  private readonly waiters = new Map<string, Set<(event: CommandEvent | null) => void>>();

  constructor(notifications: DatabaseNotifications) {
    notifications.on(COMMAND_EVENTS_CHANNEL, (payload) => this.receive(payload));
  }

  private receive(payload: string): void {
    let event: CommandEvent;
    try {
      event = JSON.parse(payload) as CommandEvent;
    } catch {
      this.logger.warn(`Ignoring a malformed command event: ${payload}`);
      return;
    }
    this.waiters.get(event.id)?.forEach((resolve) => resolve(event));
    this.events.next(event);
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

  onApplicationShutdown(): void {
    this.events.complete();
  }
}
