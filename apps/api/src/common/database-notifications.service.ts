import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { API_KEY_EVENTS_CHANNEL, AppConfig, COMMAND_EVENTS_CHANNEL, PgListener } from '@app/billing';

type Channel = typeof COMMAND_EVENTS_CHANNEL | typeof API_KEY_EVENTS_CHANNEL;

/**
 * The API process's one LISTEN connection, for every channel it follows: Postgres wakes each
 * listening connection on every NOTIFY of the database, so one is cheaper than one per channel.
 */
@Injectable()
export class DatabaseNotifications implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseNotifications.name);
  private readonly handlers = new Map<string, ((payload: string) => void)[]>();
  private readonly disconnectHandlers: (() => void)[] = [];
  private readonly listener: PgListener;

  constructor(@Inject(AppConfig) config: AppConfig) {
    this.listener = new PgListener(
      config.DATABASE_URL,
      [COMMAND_EVENTS_CHANNEL, API_KEY_EVENTS_CHANNEL],
      {
        onNotification: (channel, payload) => this.handlers.get(channel)?.forEach((handle) => handle(payload)),
        onDisconnected: () => this.disconnectHandlers.forEach((handle) => handle()),
      },
      this.logger,
    );
  }

  /** Whether notifications are being received now (they are missed while the connection is down). */
  get connected(): boolean {
    return this.listener.connected;
  }

  on(channel: Channel, handle: (payload: string) => void): void {
    this.handlers.set(channel, [...(this.handlers.get(channel) ?? []), handle]);
  }

  onDisconnected(handle: () => void): void {
    this.disconnectHandlers.push(handle);
  }

  async onModuleInit(): Promise<void> {
    await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener.stop();
  }
}
