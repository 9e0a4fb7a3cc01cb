/**
 * The demo issuer's sign-in step. oauth2-mock-server's /authorize answers at once with a fixed
 * subject and no roles; here /authorize first shows a page listing the demo users, and the one
 * chosen becomes the tokens' subject, roles and audience (its beforeAuthorizeRedirect,
 * beforeTokenSigning and beforeResponse hooks). PKCE is still checked by oauth2-mock-server.
 * Demo and tests only: anyone who can reach this page can sign in as anyone on it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  MutableRedirectUri,
  MutableResponse,
  MutableToken,
  OAuth2Service,
} from 'oauth2-mock-server';

export interface DemoUser {
  sub: string;
  title: string;
  roles: string[];
  about: string;
}

/** The demo policy's roles (scripts/demo.ts), one person each. */
export const DEMO_USERS: readonly DemoUser[] = [
  {
    sub: 'alice',
    title: 'Operator',
    roles: ['session-operator', 'auditor'],
    about: 'sees and ends any session, reads the audit log',
  },
  { sub: 'bob', title: 'Viewer', roles: ['session-viewer'], about: 'sees sessions, ends none' },
  { sub: 'carol', title: 'Auditor', roles: ['auditor'], about: 'reads the audit log only' },
  {
    sub: 'dana',
    title: 'DC team',
    roles: ['dc-team'],
    about: 'sees sessions to dc* devices, ends only their RDP sessions',
  },
];

const CHOICE = 'demo_user';
// A code or refresh token is remembered this long (the mock's tokens live an hour).
const REMEMBER_MS = 8 * 3600_000;

interface Remembered {
  user: DemoUser;
  at: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Wraps the issuer's request handler with the sign-in page, and installs the hooks that give
 * the chosen user's claims to the tokens. `audience` is the gateway's AUTH_AUDIENCE.
 */
export function withSignInStep(service: OAuth2Service, audience: string, next: Handler): Handler {
  const byCode = new Map<string, Remembered>();
  const byRefresh = new Map<string, Remembered>();
  const forget = (m: Map<string, Remembered>) => {
    const old = Date.now() - REMEMBER_MS;
    for (const [k, v] of m) if (v.at < old) m.delete(k);
  };

  service.on('beforeAuthorizeRedirect', (redirect: MutableRedirectUri, req: IncomingMessage) => {
    const user = chosenUser(req);
    const code = redirect.url.searchParams.get('code');
    if (user && code) {
      forget(byCode);
      byCode.set(code, { user, at: Date.now() });
    }
  });

  const userOfTokenRequest = (req: IncomingMessage): DemoUser | undefined => {
    const body = (req as IncomingMessage & { body?: Record<string, unknown> }).body ?? {};
    if (body.grant_type === 'authorization_code' && typeof body.code === 'string')
      return byCode.get(body.code)?.user;
    if (body.grant_type === 'refresh_token' && typeof body.refresh_token === 'string')
      return byRefresh.get(body.refresh_token)?.user;
    return undefined;
  };

  service.on('beforeTokenSigning', (token: MutableToken, req: IncomingMessage) => {
    const user = userOfTokenRequest(req);
    if (!user) return;
    const p = token.payload;
    p.sub = user.sub;
    p.preferred_username = user.sub;
    p.name = `${user.sub} (${user.title})`;
    // The ID token already carries the client id as its audience; the access token is for the
    // gateway, with roles where Keycloak puts them (AUTH_ROLES_CLAIM=realm_access.roles).
    if (p.aud === undefined) {
      p.aud = audience;
      p.realm_access = { roles: user.roles };
    }
  });

  service.on('beforeResponse', (response: MutableResponse, req: IncomingMessage) => {
    const user = userOfTokenRequest(req);
    const body = response.body;
    if (!user || body === '' || typeof body.refresh_token !== 'string') return;
    forget(byRefresh);
    byRefresh.set(body.refresh_token, { user, at: Date.now() });
  });

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://issuer');
    if (req.method === 'GET' && url.pathname === '/authorize') {
      if (!url.searchParams.has(CHOICE)) return void page(res, url.searchParams);
      if (!chosenUser(req)) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('unknown demo user');
        return;
      }
    }
    next(req, res);
  };
}

function chosenUser(req: IncomingMessage): DemoUser | undefined {
  const sub = new URL(req.url ?? '/', 'http://issuer').searchParams.get(CHOICE);
  return DEMO_USERS.find((u) => u.sub === sub);
}

const escape = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** The page: one button per demo user, the authorization request carried in hidden fields. */
function page(res: ServerResponse, query: URLSearchParams): void {
  const hidden = [...query]
    .map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`)
    .join('');
  const buttons = DEMO_USERS.map(
    (u) =>
      `<li><button type="submit" name="${CHOICE}" value="${escape(u.sub)}">` +
      `<strong>${escape(u.title)}</strong> ${escape(u.sub)}</button> ${escape(u.about)} ` +
      `<small>(roles: ${escape(u.roles.join(', '))})</small></li>`,
  ).join('');
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>Demo sign-in</title></head><body style="font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem">' +
    '<h1>Demo sign-in</h1><p>The demo issuer has no passwords: choose who you are.</p>' +
    `<form method="get" action="/authorize">${hidden}<ul style="line-height:2.5">${buttons}</ul></form>` +
    '</body></html>';
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // No form-action: the form's answer redirects to the client's callback on another origin.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(html);
}
