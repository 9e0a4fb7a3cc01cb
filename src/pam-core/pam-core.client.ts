import {
  Inject,
  Injectable,
  Logger,
  OnModuleDestroy,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import { RetryPolicy } from 'cockatiel';
import { APP_CONFIG, AppConfig, PamCoreSettings } from '../config';
import { GatewayError } from '../errors';
import { closeTransportOf } from '../http';
import { OAuth1Signer } from './oauth1-signer';
import { BearerToken, OAuth2TokenManager } from './oauth2-token-manager';
import { ObserverSink } from './observer-sink';
import { dropUrl, sessionsUrl, sessionUrl } from './pam-core-urls';
import { PAM_CORE_OBSERVER, PamCoreObserver } from './pam-core.observer';
import {
  connectRetryPolicy,
  PAM_CORE_POLICY_OPTIONS,
  PamCorePolicyOptions,
  ResolvedPolicy,
  resolvePolicy,
  UpstreamGuard,
} from './pam-core.policy';
import type { RemoteSession, TerminateResult } from './pam-core.types';
import { PamCoreProbe } from './pam-core.probe';
import { classifyAnswer, Classification, ClassifyOptions } from './response-classifier';
import { logUnrecognised } from './segura-texts';
import {
  type ListOptions,
  parseListAnswer,
  type ParsedList,
  type SessionList,
} from './session-list-thread';
import { compareSessions, normaliseSessionList } from './session-normaliser';
import { UpstreamAnswer } from './upstream-answer';
import { UpstreamHttp } from './upstream-http';
import { UpstreamPause } from './upstream-pause';

type Operation = 'terminate' | 'list' | 'get';
type Success = Extract<Classification, { ok: true }> & { list?: ParsedList };

interface CallSpec {
  operation: Operation;
  method: 'GET' | 'DELETE';
  url: string;
  maxBodyBytes: number;
  classify: ClassifyOptions;
  /** A list answer: parsed and normalised in the list thread. */
  list?: ListOptions;
}

/**
 * The only code that speaks to Segura PAM Core. Every failure is a GatewayError; no HTTP
 * type leaves this class.
 */
@Injectable()
export class PamCoreClient implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('PamCore');
  private readonly settings: PamCoreSettings;
  private readonly policy: ResolvedPolicy;
  private readonly sink: ObserverSink;
  private readonly upstream: UpstreamHttp;
  /** Every request to Segura goes through it: Segura's 429 pauses them all. */
  private readonly pause: UpstreamPause;
  private readonly guard: UpstreamGuard;
  private readonly connectRetry: RetryPolicy;
  private readonly tokens?: OAuth2TokenManager;
  private readonly signer?: OAuth1Signer;
  private readonly probe: PamCoreProbe;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    /** PamCoreModule's own: axios on an undici pool with Segura's TLS settings. */
    private readonly http: HttpService,
    @Optional() @Inject(PAM_CORE_OBSERVER) observer?: PamCoreObserver,
    @Optional() @Inject(PAM_CORE_POLICY_OPTIONS) options?: PamCorePolicyOptions,
  ) {
    this.settings = config.pamCore;
    this.policy = resolvePolicy(options);
    this.sink = new ObserverSink(observer, this.logger);
    this.upstream = new UpstreamHttp(http);
    this.pause = new UpstreamPause(this.upstream, this.sink, this.logger);
    this.guard = new UpstreamGuard(
      this.policy,
      this.settings.maxConcurrency,
      this.sink,
      this.logger,
      this.pause,
    );
    this.connectRetry = connectRetryPolicy(this.policy);
    if (this.settings.auth === 'oauth2') {
      if (!this.settings.oauth2) throw new Error('PAM Core OAuth 2 settings are missing');
      this.tokens = new OAuth2TokenManager(
        this.pause,
        this.settings.baseUrl,
        this.settings.oauth2,
        {
          timeoutMs: this.settings.timeoutMs,
          retries: this.policy.tokenRetries,
          retryInitialDelayMs: this.policy.retryInitialDelayMs,
          retryMaxDelayMs: this.policy.retryMaxDelayMs,
          maxBodyBytes: this.policy.maxBodyBytes,
          observer: this.sink,
          logger: this.logger,
        },
      );
    } else {
      if (!this.settings.oauth1) throw new Error('PAM Core OAuth 1 settings are missing');
      this.signer = new OAuth1Signer(this.settings.oauth1);
    }
    this.probe = new PamCoreProbe(
      this.settings,
      this.policy,
      this.pause,
      this.tokens,
      this.sink,
      this.logger,
    );
  }

  onModuleInit(): void {
    if (this.settings.tlsInsecure) {
      this.logger.warn('PAM_CORE_TLS_INSECURE=true: the PAM Core TLS certificate is NOT verified');
    }
  }

  async onModuleDestroy(): Promise<void> {
    // In-flight calls finish (each is bounded by its timeout), then the pool closes.
    await closeTransportOf(this.http.axiosRef, this.settings.timeoutMs);
  }

  /** Drops one remote session in Segura. */
  async terminateSession(sessionId: string): Promise<TerminateResult> {
    const url = dropUrl(this.settings.baseUrl, this.settings.dropPath, sessionId);
    const ok = await this.call({
      operation: 'terminate',
      method: 'DELETE',
      url,
      maxBodyBytes: this.policy.maxBodyBytes,
      classify: { defaultSuccessMessage: 'Session dropped successfully' },
    });
    return { sessionId, message: ok.message, upstreamStatus: ok.status, durationMs: ok.durationMs };
  }

  /** All remote sessions Segura lists, normalised; entries without a usable id are skipped. */
  async listSessions(): Promise<RemoteSession[]> {
    return (await this.fetchSessionList({ sort: false, serialise: false })).sessions;
  }

  /**
   * The list, parsed, normalised (and sorted and serialised, when asked) in a thread of its own,
   * so that a list of 100,000 sessions does not stall the event loop.
   */
  async fetchSessionList(options: ListOptions): Promise<SessionList> {
    const ok = await this.call({
      operation: 'list',
      method: 'GET',
      url: sessionsUrl(this.settings.baseUrl, this.settings.sessionsPath),
      maxBodyBytes: this.policy.maxListBodyBytes,
      classify: { successKeys: ['remote_sessions'] },
      list: options,
    });
    const skippedNote = (n: number) =>
      n > 0 && this.logger.warn(`Skipped ${n} remote session entries without a usable session_id`);
    if (ok.list) {
      skippedNote(ok.list.skipped);
      return ok.list.take();
    }
    // The thread could not run: the same normalisation, here.
    const fetchedAt = Date.now();
    const { sessions, skipped } = normaliseSessionList(ok.body, 'remote_sessions');
    skippedNote(skipped);
    if (options.sort) sessions.sort(compareSessions);
    const json = options.serialise ? JSON.stringify({ fetchedAt, sessions }) : undefined;
    return { sessions, fetchedAt, serialised: json === undefined ? undefined : Buffer.from(json) };
  }

  /** One remote session, or null when Segura does not know it. */
  async getSession(sessionId: string): Promise<RemoteSession | null> {
    const url = sessionUrl(this.settings.baseUrl, this.settings.sessionsPath, sessionId);
    try {
      const ok = await this.call({
        operation: 'get',
        method: 'GET',
        url,
        maxBodyBytes: this.policy.maxBodyBytes,
        classify: { successKeys: ['remote_session'] },
      });
      const single = ok.body.remote_session;
      const body = Array.isArray(single) ? ok.body : { remote_session: [single] };
      return normaliseSessionList(body, 'remote_session').sessions[0] ?? null;
    } catch (err) {
      // "1002: Session not found", or "1003: Unexpected identifier type" for an id Segura
      // cannot even parse (so no session can have it): both mean there is no such session.
      if (
        err instanceof GatewayError &&
        (err.code === 'SESSION_NOT_FOUND' || err.code === 'BAD_USER_INPUT')
      ) {
        return null;
      }
      throw err;
    }
  }

  /**
   * Readiness: the last probe's result while it is younger than `probeCacheMs` (5 s), else one
   * new probe shared by every caller asking meanwhile.
   */
  checkReachable(): Promise<void> {
    return this.probe.run();
  }

  /** One operation under bulkhead and breaker; a 401 to a cached token is retried once with a fresh one. */
  private call(spec: CallSpec): Promise<Success> {
    return this.guard.run(async () => {
      let { result, token } = await this.exchange(spec);
      if (
        !result.ok &&
        this.tokens &&
        token?.fromCache &&
        result.error.code === 'UPSTREAM_AUTH_FAILED' &&
        result.error.upstream?.status === 401
      ) {
        this.tokens.invalidate(token.value);
        this.logger.log('PAM Core rejected the cached token; refreshing it once');
        ({ result, token } = await this.exchange(spec));
      }
      if (!result.ok) throw result.error;
      return result;
    });
  }

  private async exchange(
    spec: CallSpec,
  ): Promise<{ result: Classification & { list?: ParsedList }; token?: BearerToken }> {
    let token: BearerToken | undefined;
    const received = await this.connectRetry.execute(async (): Promise<UpstreamAnswer> => {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (this.tokens) {
        token = await this.tokens.getToken();
        headers.authorization = `Bearer ${token.value}`;
      } else if (this.signer) {
        // Signed per attempt: fresh nonce and timestamp, over the exact URL sent.
        headers.authorization = this.signer.authorizationHeader(spec.method, spec.url);
      }
      return this.pause.send({
        method: spec.method,
        url: spec.url,
        headers,
        timeoutMs: this.settings.timeoutMs,
        maxBodyBytes: spec.maxBodyBytes,
        binary: spec.list !== undefined,
      });
    });
    const { list, answer } = await this.parseList(spec, received);
    const result = classifyAnswer(answer, { ...spec.classify, parsed: list?.parsed });
    if (list && !result.ok) list.discard();
    logUnrecognised(this.logger, spec.operation, {
      unrecognised: result.unrecognised,
      status: answer.status,
    });
    this.sink.upstreamCall(spec.operation, result.ok ? 'OK' : result.error.code, answer.durationMs);
    if (!result.ok) {
      this.logger.debug(
        `PAM Core ${spec.operation} failed: ${result.error.code} (HTTP ${result.error.upstream?.status ?? '-'})`,
      );
    }
    return { result: result.ok ? { ...result, list } : result, token };
  }

  /**
   * A complete list answer's bytes move to the list thread; the event loop gets its envelope.
   * Any other answer read as bytes is decoded here (an error body: small, or bounded).
   */
  private async parseList(
    spec: CallSpec,
    answer: UpstreamAnswer,
  ): Promise<{ list?: ParsedList; answer: UpstreamAnswer }> {
    if (answer.kind !== 'response' || !answer.bodyBytes) return { answer };
    const { bodyBytes, ...rest } = answer;
    if (!spec.list || !answer.complete) {
      return { answer: { ...rest, bodyText: new TextDecoder('utf-8').decode(bodyBytes) } };
    }
    try {
      const opts = { key: 'remote_sessions', ...spec.list };
      return { list: await parseListAnswer(bodyBytes, answer.contentType, opts), answer: rest };
    } catch (err) {
      // The bytes went with the thread: nothing is left to read here.
      this.logger.error(`session list thread failed: ${String(err)}`);
      throw new GatewayError('INTERNAL', 'Internal error', { cause: err });
    }
  }
}
