import type { ReactNode } from 'react';
import type { ApiError } from '../errors';

/** An error as the API's code plus a plain sentence saying what to do. */
export function ErrorBox({ error }: { error: ApiError }) {
  return (
    <div className="error" role="alert" data-testid="error">
      <strong>
        <code>{error.code}</code>
      </strong>{' '}
      {error.advice}
      {error.message && error.message !== error.code && (
        <div className="detail">Gateway said: {error.message}</div>
      )}
      {error.requestId && <div className="detail">Request id: {error.requestId}</div>}
    </div>
  );
}

export function Field({
  label,
  children,
  hint,
}: {
  label: string;
  children: ReactNode;
  hint?: string;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      {children}
      {hint && <small>{hint}</small>}
    </label>
  );
}

/** "2 min 5 s" from seconds. */
export function age(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${seconds % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Text or a dash for missing values. */
export function text(v: string | number | null | undefined): string {
  return v === null || v === undefined || v === '' ? '—' : String(v);
}
