import type { HttpService } from '@nestjs/axios';
import { firstValueFrom } from 'rxjs';
import { Webhook } from 'standardwebhooks';
import { NEVER_CANCELLED } from '../http';
import { transportFailureOf } from '../pam-core/upstream-http';

/** What one attempt came to; `why` is a status or a transport failure, never a body. */
export type SendResult = { ok: true } | { ok: false; why: string };

/** The receiver's answer is never read; this bounds what is buffered of it. */
const MAX_ANSWER_BYTES = 16 * 1024;

/**
 * Posts one event to one receiver, signed as the Standard Webhooks specification says
 * (webhook-id, webhook-timestamp, webhook-signature `v1,<base64 HMAC-SHA256>`). Each attempt is
 * signed afresh with the current time, so a retry after a long outage still verifies.
 */
export class WebhookSender {
  private readonly signer: Webhook;

  constructor(
    private readonly http: HttpService,
    secret: string,
    private readonly timeoutMs: number,
  ) {
    this.signer = new Webhook(secret);
  }

  /** Any 2xx is delivered; anything else (3xx included: no redirects) is a failed attempt. */
  async send(url: string, id: string, body: string): Promise<SendResult> {
    const now = new Date();
    try {
      const res = await firstValueFrom(
        this.http.request<string>({
          method: 'POST',
          url,
          headers: {
            'content-type': 'application/cloudevents+json',
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
            'webhook-signature': this.signer.sign(id, now, body),
          },
          data: body,
          timeout: this.timeoutMs,
          maxContentLength: MAX_ANSWER_BYTES,
          cancelToken: NEVER_CANCELLED,
        }),
      );
      return res.status >= 200 && res.status < 300
        ? { ok: true }
        : { ok: false, why: `status ${res.status}` };
    } catch (err) {
      // A too-long answer after a 2xx status is still a delivery: the receiver took the event.
      const status = (err as { response?: { status?: unknown } }).response?.status;
      if (typeof status === 'number' && status >= 200 && status < 300) return { ok: true };
      return { ok: false, why: transportFailureOf(err) };
    }
  }
}
