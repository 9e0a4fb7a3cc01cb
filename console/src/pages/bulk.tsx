import { useRef, useState } from 'react';
import type { Api } from '../api';
import type { Me } from '../app';
import { type ApiError, toApiError } from '../errors';
import type { BulkMutation as Result, BulkTerminationFilter } from '../gql/graphql';
import { BulkMutation } from '../operations';
import { onLinkClick, sessionHref } from '../router';
import { randomKey } from '../settings';
import { outcomeWords } from './terminate';
import { ErrorBox, Field, text } from './widgets';

type Payload = Result['terminateSessions'];
const KEYS = ['user', 'device', 'protocol', 'originIp', 'credential'] as const;
type Draft = Record<(typeof KEYS)[number] | 'startedAfter' | 'startedBefore', string>;
const EMPTY: Draft = {
  user: '',
  device: '',
  protocol: '',
  originIp: '',
  credential: '',
  startedAfter: '',
  startedBefore: '',
};

function toFilter(d: Draft, all: boolean): BulkTerminationFilter {
  const f: BulkTerminationFilter = { active: true };
  for (const [k, v] of Object.entries(d) as Array<[keyof Draft, string]>)
    if (v.trim()) f[k] = v.trim();
  if (all) f.all = true;
  return f;
}

/**
 * Bulk termination: a dry run lists exactly the sessions the filter matches now; confirming
 * runs it with one idempotency key per confirmation, so a double click or a retry of that
 * confirmation is answered with the first result and ends nothing twice.
 */
export function BulkPage({ api, me }: { api: Api; me: Me }) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [all, setAll] = useState(false);
  const [reason, setReason] = useState('');
  const [dry, setDry] = useState<Payload>();
  const [confirmKey, setConfirmKey] = useState<string>();
  const [result, setResult] = useState<Payload>();
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const inFlight = useRef(false);

  if (!me.permissions.includes('session:terminate')) {
    return (
      <section>
        <h1>Bulk terminate</h1>
        <p>Your roles do not allow terminating sessions.</p>
      </section>
    );
  }
  const filter = toFilter(draft, all);
  const missingReason = me.requireReason && reason.trim() === '';
  const tooMany = dry !== undefined && me.bulkMax !== null && dry.matched > me.bulkMax;

  const call = async (dryRun: boolean, key?: string) => {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setError(undefined);
    try {
      const r = await api.call(BulkMutation, {
        filter,
        reason: reason.trim() || null,
        dryRun,
        idempotencyKey: key ?? null,
      });
      if (dryRun) setDry(r.terminateSessions);
      else {
        setResult(r.terminateSessions);
        setConfirmKey(undefined);
      }
    } catch (err) {
      setError(toApiError(err));
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };
  const set = (k: keyof Draft) => (e: { target: { value: string } }) => {
    setDraft({ ...draft, [k]: e.target.value });
    setDry(undefined);
    setConfirmKey(undefined);
  };

  return (
    <section>
      <h1>Bulk terminate</h1>
      <form
        className="filters"
        aria-label="Bulk filter"
        onSubmit={(e) => {
          e.preventDefault();
          setResult(undefined);
          void call(true);
        }}
      >
        {KEYS.map((k) => (
          <Field key={k} label={k === 'originIp' ? 'Origin IP' : k[0].toUpperCase() + k.slice(1)}>
            <input name={k} value={draft[k]} onChange={set(k)} />
          </Field>
        ))}
        <Field label="Started after" hint="Segura time, YYYY-MM-DD[THH:MM]">
          <input name="startedAfter" value={draft.startedAfter} onChange={set('startedAfter')} />
        </Field>
        <Field label="Started before">
          <input name="startedBefore" value={draft.startedBefore} onChange={set('startedBefore')} />
        </Field>
        <label className="check">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> Every
          active session (no criterion)
        </label>
        <Field label={me.requireReason ? 'Reason (required)' : 'Reason (optional)'}>
          <input
            name="reason"
            value={reason}
            maxLength={500}
            onChange={(e) => setReason(e.target.value)}
          />
        </Field>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Dry run
          </button>
        </div>
      </form>
      <p className="detail">
        Patterns use * and ?, case-insensitive. Only active sessions within your scope are chosen
        {me.bulkMax !== null && `; at most ${me.bulkMax} per request`}.
      </p>
      {error && <ErrorBox error={error} />}
      {dry && !result && (
        <section className="panel" aria-live="polite" data-testid="dry-run">
          <h2>
            Dry run: {dry.matched} session{dry.matched === 1 ? '' : 's'} would end
          </h2>
          <Results payload={dry} />
          {tooMany && (
            <p className="error">
              More than {me.bulkMax} sessions match: narrow the filter (the policy allows at most{' '}
              {me.bulkMax} per request).
            </p>
          )}
          {dry.matched > 0 && !tooMany && !confirmKey && (
            <button
              className="danger"
              disabled={missingReason}
              onClick={() => setConfirmKey(randomKey('console-bulk'))}
            >
              Terminate these {dry.matched} sessions…
            </button>
          )}
          {confirmKey && (
            <div className="confirm" role="group" aria-label="Confirm bulk termination">
              <p>
                End the sessions matching this filter now? The list is read again when you confirm;
                a session started since the dry run that matches is ended too.
              </p>
              <button
                className="danger"
                autoFocus
                disabled={busy}
                onClick={() => void call(false, confirmKey)}
              >
                {busy ? 'Terminating…' : `Yes, terminate ${dry.matched}`}
              </button>{' '}
              <button disabled={busy} onClick={() => setConfirmKey(undefined)}>
                Cancel
              </button>
            </div>
          )}
        </section>
      )}
      {result && (
        <section className="panel" aria-live="polite" data-testid="bulk-result">
          <h2>
            {result.terminatedCount} terminated, {result.failedCount} failed of {result.matched}
          </h2>
          {result.replayed && <p>The stored answer to this confirmation: nothing was repeated.</p>}
          <Results payload={result} />
          <p className="detail">
            Audit record {result.auditEventId} · request {result.requestId}
          </p>
        </section>
      )}
    </section>
  );
}

function Results({ payload }: { payload: Payload }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Session</th>
            <th scope="col">User</th>
            <th scope="col">Device</th>
            <th scope="col">Protocol</th>
            <th scope="col">Started</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {payload.results.map((r) => (
            <tr key={r.sessionId} data-session={r.sessionId}>
              <td>
                <a href={sessionHref(r.sessionId)} onClick={onLinkClick} className="mono">
                  {r.sessionId.slice(0, 12)}
                </a>
              </td>
              <td>{text(r.session.user)}</td>
              <td>{text(r.session.device)}</td>
              <td>{text(r.session.protocol)}</td>
              <td>{text(r.session.start)}</td>
              <td>
                {payload.dryRun
                  ? 'would end'
                  : r.code
                    ? `${r.code}: ${r.message ?? 'failed'}`
                    : outcomeWords(r)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
