import { useCallback, useEffect, useState } from 'react';
import type { Api } from '../api';
import type { Me } from '../app';
import { type ApiError, toApiError } from '../errors';
import type { RemoteSessionFilter, SessionsQuery as Result } from '../gql/graphql';
import { SessionsQuery } from '../operations';
import { onLinkClick, sessionHref } from '../router';
import { age, ErrorBox, Field, text } from './widgets';

const PAGE_SIZE = 20;

type Connection = Result['remoteSessions'];

interface Filters {
  user: string;
  device: string;
  protocol: string;
  originIp: string;
  active: '' | 'true' | 'false';
}

const EMPTY: Filters = { user: '', device: '', protocol: '', originIp: '', active: 'true' };

export function toFilter(f: Filters): RemoteSessionFilter {
  const out: RemoteSessionFilter = {};
  if (f.user.trim()) out.user = f.user.trim();
  if (f.device.trim()) out.device = f.device.trim();
  if (f.protocol.trim()) out.protocol = f.protocol.trim();
  if (f.originIp.trim()) out.originIp = f.originIp.trim();
  if (f.active) out.active = f.active === 'true';
  return out;
}

/** Sessions with filters, cursor paging, the cache's staleness and refresh. */
export function SessionsPage({ api, me }: { api: Api; me: Me }) {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  // Cursors of the pages before this one (the first page has none).
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [data, setData] = useState<Connection>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(false);
  const after = cursors[cursors.length - 1];

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const r = await api.call(SessionsQuery, {
        filter: toFilter(filters),
        first: PAGE_SIZE,
        after,
      });
      setData(r.remoteSessions);
      setError(undefined);
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setLoading(false);
    }
  }, [api, filters, after]);

  useEffect(() => {
    void load();
  }, [load]);

  if (!me.permissions.includes('session:read')) {
    return (
      <section>
        <h1>Sessions</h1>
        <p>Your roles do not include reading sessions. Use the audit trail, or ask for access.</p>
      </section>
    );
  }
  const set = (k: keyof Filters) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [k]: e.target.value });
  const first = (cursors.length - 1) * PAGE_SIZE;

  return (
    <section>
      <h1>Sessions</h1>
      <form
        className="filters"
        aria-label="Filter sessions"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
          setCursors([null]);
        }}
      >
        <Field label="User">
          <input name="user" value={draft.user} onChange={set('user')} placeholder="alice*" />
        </Field>
        <Field label="Device">
          <input name="device" value={draft.device} onChange={set('device')} placeholder="dc*" />
        </Field>
        <Field label="Protocol">
          <input
            name="protocol"
            value={draft.protocol}
            onChange={set('protocol')}
            placeholder="rdp"
          />
        </Field>
        <Field label="Origin IP">
          <input
            name="originIp"
            value={draft.originIp}
            onChange={set('originIp')}
            placeholder="10.0.*"
          />
        </Field>
        <Field label="State">
          <select name="active" value={draft.active} onChange={set('active')}>
            <option value="true">Active</option>
            <option value="false">Ended</option>
            <option value="">All</option>
          </select>
        </Field>
        <div className="actions">
          <button type="submit" className="primary">
            Apply filters
          </button>
          <button type="button" onClick={() => void load()} disabled={loading}>
            {loading ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
      </form>
      {error && <ErrorBox error={error} />}
      {data && (
        <>
          <p
            className={data.stale ? 'status stale' : 'status'}
            role="status"
            data-testid="list-status"
          >
            {data.totalCount} session{data.totalCount === 1 ? '' : 's'} · list{' '}
            {age(data.ageSeconds)} old
            {data.stale && ' · STALE: Segura is slow or failing, this is an older list'}
          </p>
          <div className="table-wrap">
            <table data-testid="sessions">
              <thead>
                <tr>
                  <th scope="col">Session</th>
                  <th scope="col">User</th>
                  <th scope="col">Device</th>
                  <th scope="col">Protocol</th>
                  <th scope="col">Origin IP</th>
                  <th scope="col">Started</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {data.nodes.map((s) => (
                  <tr key={s.sessionId} data-session={s.sessionId}>
                    <td>
                      <a href={sessionHref(s.sessionId)} onClick={onLinkClick} className="mono">
                        {s.sessionId.slice(0, 12)}
                      </a>
                    </td>
                    <td>{text(s.user)}</td>
                    <td>{text(s.device)}</td>
                    <td>{text(s.protocol)}</td>
                    <td>{text(s.originIp)}</td>
                    <td>{text(s.start)}</td>
                    <td>
                      {s.active ? 'active' : 'ended'}
                      {s.canTerminate && (
                        <>
                          {' · '}
                          <a href={sessionHref(s.sessionId)} onClick={onLinkClick}>
                            terminate…
                          </a>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
                {data.nodes.length === 0 && (
                  <tr>
                    <td colSpan={7}>No session matches.</td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages">
            <button
              disabled={cursors.length === 1}
              onClick={() => setCursors(cursors.slice(0, -1))}
            >
              ← Previous
            </button>
            <span>
              {data.nodes.length === 0 ? 0 : first + 1}–{first + data.nodes.length} of{' '}
              {data.totalCount}
            </span>
            <button
              disabled={!data.nextCursor}
              onClick={() => data.nextCursor && setCursors([...cursors, data.nextCursor])}
            >
              Next →
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
