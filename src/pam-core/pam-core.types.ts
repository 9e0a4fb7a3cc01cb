/** Result of a successful drop. */
export interface TerminateResult {
  sessionId: string;
  /** Segura's cleaned English message, e.g. "Session dropped successfully". */
  message: string;
  upstreamStatus: number;
  durationMs: number;
}

/** One remote session from Segura's list, normalised (English and Portuguese keys). */
export interface RemoteSession {
  /** The hash that drop takes (Segura's `session_id`). */
  sessionId: string;
  /** Segura's record number (`id`, a string). */
  recordId: string;
  user: string | null;
  originIp: string | null;
  credential: string | null;
  /** `device` as Segura gives it, e.g. "10.66.33.15:3389". */
  device: string | null;
  deviceHost: string | null;
  devicePort: number | null;
  protocol: string | null;
  proxy: string | null;
  /** ISO 8601 without zone designator, as Segura's naive "YYYY-MM-DD HH:MM:SS" (local to Segura). */
  start: string | null;
  end: string | null;
  /** Seconds, from Segura's "HH:MM:SS" `time`. */
  durationSeconds: number | null;
  /** True when `end` is empty (Segura has no status field). */
  active: boolean;
  itsm: string | null;
}
