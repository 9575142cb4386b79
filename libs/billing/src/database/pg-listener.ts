import pg from 'pg';

export interface PgListenerHandlers {
  onNotification(channel: string, payload: string): void;
  /** The connection was lost: notifications sent until it is back are missed. */
  onDisconnected?(): void;
}

/**
 * A LISTEN connection of its own that reconnects after a second when it is lost. `connected`
 * says whether notifications are being received right now (a cache that relies on them for
 * invalidation must not trust itself while they are not).
 */
export class PgListener {
  private client: pg.Client | null = null;
  private closing = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly channels: string[],
    private readonly handlers: PgListenerHandlers,
    private readonly logger: { warn(message: string): void },
  ) {}

  get connected(): boolean {
    return this.client !== null;
  }

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('notification', (message) => {
      if (message.payload) this.handlers.onNotification(message.channel, message.payload);
    });
    client.on('error', (error) => {
      this.logger.warn(`LISTEN connection lost (${error.message}); reconnecting`);
      this.reconnectSoon();
    });
    await client.connect();
    for (const channel of this.channels) await client.query(`LISTEN ${channel}`);
    if (this.closing) {
      // Stopped while it was connecting.
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  private reconnectSoon(): void {
    const old = this.client;
    this.client = null;
    this.handlers.onDisconnected?.();
    old?.end().catch(() => undefined);
    if (this.closing) return;
    setTimeout(() => {
      if (!this.closing) this.start().catch(() => this.reconnectSoon());
    }, 1000).unref();
  }

  async stop(): Promise<void> {
    this.closing = true;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}
