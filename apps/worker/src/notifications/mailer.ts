import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/billing';
import type { OutgoingMail } from '@app/billing/worker';
import nodemailer, { type Transporter } from 'nodemailer';

/** Outgoing mail through SMTP_URL (nodemailer), one transport per worker process. */
@Injectable()
export class Mailer implements OnApplicationShutdown {
  private transport: Transporter | null = null;
  /** The sender's domain and the right-hand side of Message-IDs: SMTP_URL's host. */
  readonly domain: string;

  constructor(@Inject(AppConfig) private readonly config: AppConfig) {
    this.domain = config.SMTP_URL ? new URL(config.SMTP_URL).hostname || 'localhost' : 'localhost';
  }

  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    if (!this.config.SMTP_URL) throw new Error('SMTP_URL is not set: receipts cannot be e-mailed');
    this.transport ??= nodemailer.createTransport(this.config.SMTP_URL);
    const info = await this.transport.sendMail({
      from: { name: mail.fromName, address: this.config.MAIL_FROM ?? `receipts@${this.domain}` },
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      messageId: mail.messageId,
      attachments: mail.attachments,
    });
    return { messageId: info.messageId };
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
