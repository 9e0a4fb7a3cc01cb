import { useCallback, useEffect, useState } from 'react';
import type { Api } from '../api';
import type { Me } from '../app';
import { type ApiError, toApiError } from '../errors';
import type { SessionQuery as Result } from '../gql/graphql';
import { SessionQuery } from '../operations';
import { auditHref, onLinkClick } from '../router';
import { BASE } from '../settings';
import { TerminateOne } from './terminate';
import { ErrorBox, text } from './widgets';

type Session = Result['remoteSession'];

/** One session, straight from Segura, with termination when the caller may end it. */
export function SessionPage({ api, me, id }: { api: Api; me: Me; id: string }) {
  const [session, setSession] = useState<Session>();
  const [error, setError] = useState<ApiError>();

  const load = useCallback(async () => {
    try {
      setSession((await api.call(SessionQuery, { id })).remoteSession);
      setError(undefined);
    } catch (err) {
      setError(toApiError(err));
    }
  }, [api, id]);
  useEffect(() => {
    void load();
  }, [load]);

  const rows: Array<[string, string | number | null | undefined]> = session
    ? [
        ['Session id', session.sessionId],
        ['Record', session.recordId],
        ['User', session.user],
        ['Credential', session.credential],
        ['Device', session.device],
        ['Protocol', session.protocol],
        ['Origin IP', session.originIp],
        ['Proxy', session.proxy],
        ['Started (Segura time)', session.start],
        ['Ended', session.end],
        ['Duration (s)', session.durationSeconds],
        ['ITSM ticket', session.itsm],
        ['State', session.active ? 'active' : 'ended'],
      ]
    : [];
  return (
    <section>
      <p>
        <a href={`${BASE}/`} onClick={onLinkClick}>
          ← All sessions
        </a>
      </p>
      <h1>Session {id.slice(0, 12)}</h1>
      {error && <ErrorBox error={error} />}
      {session && (
        <>
          <dl className="details" data-testid="session-details">
            {rows.map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{text(v)}</dd>
              </div>
            ))}
          </dl>
          {me.permissions.includes('audit:read') && (
            <p>
              <a href={auditHref({ sessionId: session.sessionId })} onClick={onLinkClick}>
                Audit records of this session
              </a>
            </p>
          )}
          {session.canTerminate && <TerminateOne api={api} me={me} sessionId={session.sessionId} />}
          {!session.canTerminate && session.active && (
            <p className="detail">You may not terminate this session.</p>
          )}
        </>
      )}
    </section>
  );
}
