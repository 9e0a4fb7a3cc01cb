import { useCallback, useEffect, useState } from 'react';
import type { Api } from '../api';
import { type ApiError, toApiError } from '../errors';
import type {
  AuditAction,
  AuditEventFilter,
  AuditOutcomeFilter,
  AuditQuery as Result,
} from '../gql/graphql';
import { AuditQuery } from '../operations';
import { auditHref, navigate, onLinkClick, sessionHref } from '../router';
import { ErrorBox, Field, text } from './widgets';

const PAGE_SIZE = 25;
const ACTIONS: AuditAction[] = [
  'SESSION_TERMINATE',
  'SESSION_TERMINATE_BULK',
  'SESSION_READ',
  'AUDIT_READ',
];
const OUTCOMES: AuditOutcomeFilter[] = ['SUCCEEDED', 'FAILED', 'UNKNOWN', 'PENDING'];
const FIELDS = ['sessionId', 'actor', 'action', 'outcome', 'since', 'until'] as const;
type Draft = Record<(typeof FIELDS)[number], string>;

type Event = Result['auditEvents']['nodes'][number];

/** A local datetime-local value as ISO 8601 UTC (the API's time filters). */
function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function toFilter(d: Draft): AuditEventFilter {
  const f: AuditEventFilter = {};
  if (d.sessionId.trim()) f.sessionId = d.sessionId.trim();
  if (d.actor.trim()) f.actor = d.actor.trim();
  if (ACTIONS.includes(d.action as AuditAction)) f.action = d.action as AuditAction;
  if (OUTCOMES.includes(d.outcome as AuditOutcomeFilter))
    f.outcome = d.outcome as AuditOutcomeFilter;
  const since = isoOf(d.since);
  const until = isoOf(d.until);
  if (since) f.since = since;
  if (until) f.until = until;
  return f;
}

/** The audit trail, newest first, filtered by the URL's query (so a session can link here). */
export function AuditPage({ api, query }: { api: Api; query: URLSearchParams }) {
  const initial = Object.fromEntries(FIELDS.map((k) => [k, query.get(k) ?? ''])) as Draft;
  const [draft, setDraft] = useState<Draft>(initial);
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [events, setEvents] = useState<Event[]>();
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<ApiError>();
  const after = cursors[cursors.length - 1];
  // The page is keyed by its query (app.tsx): a new filter is a new page.
  const [filter] = useState(() => toFilter(initial));

  const load = useCallback(async () => {
    try {
      const r = await api.call(AuditQuery, { filter, first: PAGE_SIZE, after });
      setEvents(r.auditEvents.nodes);
      setNext(r.auditEvents.nextCursor ?? null);
      setError(undefined);
    } catch (err) {
      setError(toApiError(err));
    }
  }, [api, filter, after]);
  useEffect(() => {
    void load();
  }, [load]);

  const set = (k: keyof Draft) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [k]: e.target.value });

  return (
    <section>
      <h1>Audit trail</h1>
      <form
        className="filters"
        aria-label="Filter audit records"
        onSubmit={(e) => {
          e.preventDefault();
          const params: Record<string, string> = {};
          for (const k of FIELDS) if (draft[k].trim()) params[k] = draft[k].trim();
          navigate(auditHref(params));
        }}
      >
        <Field label="Session id">
          <input name="sessionId" value={draft.sessionId} onChange={set('sessionId')} />
        </Field>
        <Field label="Actor (id or name)">
          <input name="actor" value={draft.actor} onChange={set('actor')} />
        </Field>
        <Field label="Action">
          <select name="action" value={draft.action} onChange={set('action')}>
            <option value="">Any</option>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a.toLowerCase().replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Outcome">
          <select name="outcome" value={draft.outcome} onChange={set('outcome')}>
            <option value="">Any</option>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {o.toLowerCase()}
              </option>
            ))}
          </select>
        </Field>
        <Field label="From">
          <input type="datetime-local" name="since" value={draft.since} onChange={set('since')} />
        </Field>
        <Field label="Until">
          <input type="datetime-local" name="until" value={draft.until} onChange={set('until')} />
        </Field>
        <div className="actions">
          <button type="submit" className="primary">
            Apply filters
          </button>
          <button type="button" onClick={() => void load()}>
            Refresh
          </button>
        </div>
      </form>
      {error && <ErrorBox error={error} />}
      {events && (
        <>
          <ol className="events" data-testid="audit-events">
            {events.map((e) => (
              <li key={e.id} data-action={e.action} data-session={e.sessionId ?? ''}>
                <details>
                  <summary>
                    <span className="mono">{e.time.replace('T', ' ').slice(0, 19)}</span>{' '}
                    <strong>{e.action.toLowerCase().replace(/_/g, ' ')}</strong> by {e.actor.name} ·{' '}
                    {e.decision.toLowerCase()}
                    {e.outcome && ` · ${e.outcome.toLowerCase()}`}
                    {!e.outcome && e.decision === 'ALLOWED' && ' · pending'}
                    {e.errorCode && ` · ${e.errorCode}`}
                    {e.sessionId && (
                      <>
                        {' · '}
                        <span className="mono">{e.sessionId.slice(0, 12)}</span>
                      </>
                    )}
                  </summary>
                  <dl className="details">
                    {(
                      [
                        ['Record', `${e.id} (#${e.seq})`],
                        [
                          'Actor',
                          `${e.actor.name} · ${e.actor.id} · ${e.actor.kind.toLowerCase()} · ${e.actor.ip}`,
                        ],
                        ['Roles', e.actor.roles.join(', ')],
                        ['Channel', e.channel.toLowerCase()],
                        ['Reason', e.reason],
                        ['Request id', e.requestId],
                        ['Outcome time', e.outcomeTime],
                        [
                          'Segura',
                          e.upstream &&
                            `${text(e.upstream.status)} ${text(e.upstream.message)} (${text(e.upstream.durationMs)} ms)`,
                        ],
                        ['Part of', e.parentId],
                        ['Details', e.detailsJson],
                      ] as Array<[string, string | null | undefined]>
                    ).map(([k, v]) => (
                      <div key={k}>
                        <dt>{k}</dt>
                        <dd>{text(v)}</dd>
                      </div>
                    ))}
                  </dl>
                  {e.sessionId && (
                    <a href={sessionHref(e.sessionId)} onClick={onLinkClick}>
                      Open the session
                    </a>
                  )}
                </details>
              </li>
            ))}
            {events.length === 0 && <li>No record matches.</li>}
          </ol>
          <nav className="pager" aria-label="Pages">
            <button
              disabled={cursors.length === 1}
              onClick={() => setCursors(cursors.slice(0, -1))}
            >
              ← Newer
            </button>
            <button disabled={!next} onClick={() => next && setCursors([...cursors, next])}>
              Older →
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
