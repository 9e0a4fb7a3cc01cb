import type { Logger } from '@nestjs/common';
import type { PamCoreSettings } from '../config';
import { GatewayError } from '../errors';
import { CachedCheck } from './cached-check';
import type { OAuth2TokenManager } from './oauth2-token-manager';
import type { ObserverSink } from './observer-sink';
import type { UpstreamResultCode } from './pam-core.observer';
import type { ResolvedPolicy } from './pam-core.policy';
import { classifyAnswer, upstreamError } from './response-classifier';
import { logUnrecognised } from './segura-texts';
import type { UpstreamPause } from './upstream-pause';

/**
 * PamCoreClient's readiness probe: the last probe's result while it is younger than
 * `probeCacheMs` (5 s), else one new probe shared by every caller asking meanwhile.
 */
export class PamCoreProbe {
  private readonly cached: CachedCheck;

  constructor(
    private readonly settings: PamCoreSettings,
    private readonly policy: ResolvedPolicy,
    private readonly pause: UpstreamPause,
    private readonly tokens: OAuth2TokenManager | undefined,
    private readonly sink: ObserverSink,
    private readonly logger: Logger,
  ) {
    this.cached = new CachedCheck(() => this.probeNow(), policy.probeCacheMs);
  }

  run(): Promise<void> {
    return this.cached.run();
  }

  /**
   * One probe, within a short bound: oauth2 needs a token, and Segura must answer HTTP now
   * (any answer to a HEAD of the base URL counts). A cached token alone proves nothing about a
   * Segura that stopped answering since, and minting a token per probe would load Segura's
   * token endpoint, so a cached token is followed by the HEAD instead.
   */
  private async probeNow(): Promise<void> {
    this.pause.check(); // Segura asked us to wait: not ready, and no call
    const boundMs = Math.min(this.settings.timeoutMs, this.policy.probeTimeoutMs);
    const started = Date.now();
    let result: UpstreamResultCode = 'OK';
    try {
      if (this.tokens) {
        const token = await withDeadline(this.tokens.getToken(), boundMs);
        if (!token.fromCache) return; // a token request just succeeded: Segura answers now
      }
      const answer = await this.pause.send({
        method: 'HEAD',
        url: this.settings.baseUrl,
        headers: {},
        timeoutMs: Math.max(1, boundMs - (Date.now() - started)),
        maxBodyBytes: 0,
      });
      // Any HTTP answer shows Segura is up, except its 429: it will refuse our calls for a while.
      if (answer.kind === 'transport' || answer.status === 429) {
        const c = classifyAnswer(answer);
        logUnrecognised(this.logger, 'probe', {
          unrecognised: c.unrecognised,
          status: answer.status,
        });
        if (!c.ok) throw c.error;
      }
    } catch (err) {
      result = err instanceof GatewayError ? err.code : 'INTERNAL';
      throw err;
    } finally {
      this.sink.upstreamCall('probe', result, Date.now() - started);
    }
  }
}

/** Bounds a probe so readiness never hangs; the underlying request keeps its own timeout. */
async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          upstreamError(
            { code: 'UPSTREAM_TIMEOUT' },
            { durationMs: ms, detail: 'PAM Core did not answer the readiness probe in time' },
          ),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
