import type { UserManager } from 'oidc-client-ts';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Api } from './api';
import { completeSignIn, createUserManager, signIn } from './auth';
import { ApiError, toApiError } from './errors';
import type { MeQuery as MeResult } from './gql/graphql';
import { MeQuery } from './operations';
import { AuditPage } from './pages/audit';
import { BulkPage } from './pages/bulk';
import { SessionPage } from './pages/session';
import { SessionsPage } from './pages/sessions';
import { ErrorBox } from './pages/widgets';
import { navigate, onLinkClick, useRoute } from './router';
import { BASE, loadConfig } from './settings';

export type Me = MeResult['me'];

type AuthState =
  | { kind: 'loading' }
  | { kind: 'signed-out' }
  | { kind: 'expired' }
  | { kind: 'failed'; error: ApiError }
  | { kind: 'signed-in'; me: Me };

export function App() {
  const [manager, setManager] = useState<UserManager>();
  const [state, setState] = useState<AuthState>({ kind: 'loading' });
  const token = useRef<string | undefined>(undefined);
  const route = useRoute();

  const expire = useCallback(() => {
    token.current = undefined;
    setState({ kind: 'expired' });
  }, []);
  const api = useMemo(() => new Api(() => token.current, expire), [expire]);

  useEffect(() => {
    let stop = () => {};
    const start = async () => {
      const config = await loadConfig();
      const m = createUserManager(config);
      setManager(m);
      if (window.location.pathname.startsWith(`${BASE}/callback`)) {
        navigate(await completeSignIn(m), true);
      }
      const onLoaded = (u: { access_token: string }) => {
        token.current = u.access_token;
      };
      m.events.addUserLoaded(onLoaded);
      m.events.addAccessTokenExpired(expire);
      m.events.addSilentRenewError(() => {
        void m.getUser().then((u) => (!u || u.expired) && expire());
      });
      stop = () => {
        m.events.removeUserLoaded(onLoaded);
        m.events.removeAccessTokenExpired(expire);
      };
      const user = await m.getUser();
      if (!user || user.expired) {
        setState({ kind: user ? 'expired' : 'signed-out' });
        return;
      }
      token.current = user.access_token;
      const { me } = await api.call(MeQuery, {});
      setState({ kind: 'signed-in', me });
    };
    start().catch((err: unknown) => {
      const e = toApiError(err);
      if (e.code !== 'UNAUTHENTICATED') setState({ kind: 'failed', error: e });
    });
    return () => stop();
  }, [api, expire]);

  const doSignIn = () => manager && void signIn(manager);
  // Ends the issuer's session too; when the issuer cannot, at least this tab's.
  const doSignOut = () => {
    token.current = undefined;
    void manager?.signoutRedirect().catch(async () => {
      await manager.removeUser();
      setState({ kind: 'signed-out' });
    });
  };

  switch (state.kind) {
    case 'loading':
      return <Centered title="pam-gateway console">Loading…</Centered>;
    case 'failed':
      return (
        <Centered title="The console cannot start">
          <ErrorBox error={state.error} />
          <button onClick={doSignIn}>Sign in again</button>
        </Centered>
      );
    case 'signed-out':
      return (
        <Centered title="pam-gateway console">
          <p>Sign in with your company account to see and end privileged sessions.</p>
          <button className="primary" onClick={doSignIn} autoFocus>
            Sign in
          </button>
        </Centered>
      );
    case 'expired':
      return (
        <Centered title="Your session has expired">
          <p role="alert">
            You were signed out because your sign-in expired or was refused. Nothing was done after
            that. Sign in again to continue where you were.
          </p>
          <button className="primary" onClick={doSignIn} autoFocus>
            Sign in again
          </button>
        </Centered>
      );
    case 'signed-in':
      break;
  }
  const me = state.me;
  const can = (p: string) => me.permissions.includes(p);
  let page;
  switch (route.page) {
    case 'session':
      page = <SessionPage api={api} me={me} id={route.id} />;
      break;
    case 'bulk':
      page = <BulkPage api={api} me={me} />;
      break;
    case 'audit':
      page = <AuditPage key={route.query.toString()} api={api} query={route.query} />;
      break;
    case 'sessions':
    case 'callback':
      // The start page of someone who may read the audit log but no sessions is the log.
      page =
        !can('session:read') && can('audit:read') ? (
          <AuditPage api={api} query={new URLSearchParams()} />
        ) : (
          <SessionsPage api={api} me={me} />
        );
      break;
  }
  return (
    <>
      <header className="top">
        <a className="brand" href={`${BASE}/`} onClick={onLinkClick}>
          pam-gateway
        </a>
        <nav aria-label="Main">
          {can('session:read') && (
            <a
              href={`${BASE}/`}
              onClick={onLinkClick}
              aria-current={current(route.page, 'sessions')}
            >
              Sessions
            </a>
          )}
          {can('session:terminate') && (
            <a
              href={`${BASE}/bulk`}
              onClick={onLinkClick}
              aria-current={current(route.page, 'bulk')}
            >
              Bulk terminate
            </a>
          )}
          {can('audit:read') && (
            <a
              href={`${BASE}/audit`}
              onClick={onLinkClick}
              aria-current={current(route.page, 'audit')}
            >
              Audit trail
            </a>
          )}
        </nav>
        <span className="who" data-testid="who">
          {me.name} <small>({me.roles.join(', ') || 'no roles'})</small>
        </span>
        <button onClick={doSignOut}>Sign out</button>
      </header>
      <main>{page}</main>
    </>
  );
}

function current(page: string, link: string): 'page' | undefined {
  return page === link || (link === 'sessions' && page === 'callback') ? 'page' : undefined;
}

function Centered({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main className="centered">
      <h1>{title}</h1>
      {children}
    </main>
  );
}
