import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { SimSession } from '../../simulator/types';
import { type GatewayHarness, startGateway } from '../support/gateway';
import {
  type BrowserHandle,
  ensureConsoleBuilt,
  launchChromium,
  withScreenshot,
} from './support/browser';
import { startDemoIssuer } from './support/demo-issuer';

/**
 * The operator console in a real browser (Debian's Chromium through playwright-core) against
 * the real gateway, the PAM Core simulator and the demo issuer with its sign-in page.
 */
jest.setTimeout(60_000);

const POLICY = `roles:
  session-operator: [session:terminate, session:read]
  session-viewer: [session:read]
  auditor: [audit:read]
  dc-team:
    - permission: session:terminate
      where: { protocol: rdp, device: "dc*" }
    - permission: session:read
      where: { device: "dc*" }
options:
  requireReason: true
  bulkMax: 25
`;

const hex = (c: string) => c.repeat(40);
const session = (
  sessionId: string,
  user: string,
  device: string,
  protocol: string,
  end = '',
): SimSession => ({
  id: String(parseInt(sessionId[0], 16) + 1),
  sessionId,
  user,
  originIp: `10.0.0.${parseInt(sessionId[0], 16) + 1}`,
  credential: 'root',
  device,
  protocol,
  proxy: 'Web Proxy',
  start: `2026-01-0${(parseInt(sessionId[0], 16) % 9) + 1} 10:00:00`,
  end,
  itsm: null,
});
const SESSIONS: SimSession[] = [
  session(hex('1'), 'j.silva', 'dc01.corp.local:3389', 'rdp'),
  session(hex('2'), 'j.silva', 'db-prod-01.corp.local:22', 'ssh'),
  session(hex('3'), 'm.santos', 'dc02.corp.local:3389', 'rdp'),
  session(hex('4'), 'm.santos', 'bastion.dmz.local:22', 'ssh'),
  session(hex('5'), 'bulk.user', '10.20.1.40:22', 'ssh'),
  session(hex('6'), 'bulk.user', '10.20.1.41:22', 'ssh'),
  session(hex('7'), 'bulk.user', 'kiosk-07.corp.local:5900', 'vnc'),
  session(hex('8'), 'r.costa', 'fw-edge-01.corp.local:443', 'https', '2026-01-01 11:00:00'),
];

let gw: GatewayHarness;
let chrome: BrowserHandle;
let context: BrowserContext | undefined;
let page: Page | undefined;

beforeAll(async () => {
  ensureConsoleBuilt();
  const issuer = await startDemoIssuer();
  gw = await startGateway({
    issuer,
    policy: POLICY,
    simulator: { seed: SESSIONS },
    env: {
      CONSOLE_OIDC_CLIENT_ID: 'pam-console',
      AUTH_ROLES_CLAIM: 'realm_access.roles',
      // Every listing straight from the simulator, so each step sees the one before it.
      SESSIONS_CACHE_TTL_MS: '0',
    },
  });
  chrome = await launchChromium();
  // The harness does not stop an issuer it was given.
  const close = gw.close.bind(gw);
  gw.close = async () => {
    await close();
    await issuer.stop();
  };
});

afterAll(async () => {
  await context?.close();
  await chrome?.close();
  await gw?.close();
});

afterEach(async () => {
  await context?.close();
  context = undefined;
  page = undefined;
});

/** A fresh browser (no stored sign-in), signed in through the demo issuer's page. */
async function signInAs(title: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  context = await chrome.browser.newContext({ viewport });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  await page.goto(`${gw.url}/console/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: new RegExp(`^${title} `) }).click();
  await page.getByTestId('who').waitFor();
  return page;
}

const step = (name: string, body: () => Promise<void>) =>
  it(name, () => withScreenshot(name, () => page, body));

/** What the in-page functions below use (this project is type-checked without the DOM lib). */
interface InPage {
  sessionStorage: Record<string, string> & { getItem(key: string): string | null };
  document: { documentElement: { scrollWidth: number } };
  innerWidth: number;
}

const rows = (p: Page) => p.locator('[data-testid=sessions] tbody tr[data-session]');
const active = () => gw.simulator.getSessions().filter((s) => s.end === '');

step('serves the console with a strict CSP and its config', async () => {
  const index = await gw.request('GET', '/console/sessions/anything');
  expect(index.status).toBe(200);
  expect(index.text).toContain('<div id="root">');
  const csp = index.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain(`connect-src 'self' ${gw.issuer.url}`);
  expect(csp).not.toContain('unsafe-inline');
  expect(index.headers.get('cache-control')).toBe('no-cache');
  const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(index.text)![1];
  const js = await gw.request('GET', asset);
  expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  expect((await gw.request('GET', '/console/assets/missing.js')).status).toBe(404);
  const config = await gw.request('GET', '/console/config.json');
  expect(config.json).toEqual({ issuer: gw.issuer.url, clientId: 'pam-console', scopes: 'openid' });
});

step('signs in through the issuer and shows who is signed in', async () => {
  const p = await signInAs('Operator');
  await expect(p.getByTestId('who').textContent()).resolves.toContain('alice');
  expect(p.url()).toBe(`${gw.url}/console/`);
  await rows(p).first().waitFor();
  expect(await rows(p).count()).toBe(7);
  // UPDATE_CONSOLE_SCREENSHOT=1 npx jest test/console: the README's picture, at 1280×800.
  if (process.env.UPDATE_CONSOLE_SCREENSHOT === '1') {
    await p.screenshot({ path: join(__dirname, '..', '..', 'docs', 'console.png') });
  }
});

step('lists and filters sessions, with the list age', async () => {
  const p = await signInAs('Operator');
  await rows(p).first().waitFor();
  await expect(p.getByTestId('list-status').textContent()).resolves.toMatch(
    /7 sessions · list \d+ s old/,
  );
  await p.getByLabel('User').fill('m.santos');
  await p.getByRole('button', { name: 'Apply filters' }).click();
  await p.getByTestId('list-status').filter({ hasText: '2 sessions' }).waitFor();
  expect(await rows(p).count()).toBe(2);
  await p.getByLabel('Protocol').fill('rdp');
  await p.getByRole('button', { name: 'Apply filters' }).click();
  await p.getByTestId('list-status').filter({ hasText: '1 session ' }).waitFor();
  expect(await rows(p).first().getAttribute('data-session')).toBe(hex('3'));
  await p.getByLabel('User').fill('');
  await p.getByLabel('Protocol').fill('');
  await p.getByLabel('State').selectOption('false');
  await p.getByRole('button', { name: 'Apply filters' }).click();
  // The status already reads "1 session" (the rdp page): wait for the ended session's row and
  // for the rdp one to go, not for the text.
  await rows(p)
    .and(p.locator(`[data-session="${hex('8')}"]`))
    .waitFor();
  await rows(p)
    .and(p.locator(`[data-session="${hex('3')}"]`))
    .waitFor({ state: 'detached' });
  expect(await rows(p).count()).toBe(1);
  await p.getByTestId('list-status').filter({ hasText: '1 session ' }).waitFor();
});

step('terminates one session with a reason, from the keyboard', async () => {
  const p = await signInAs('Operator');
  await p
    .locator(`tr[data-session="${hex('1')}"] a`)
    .first()
    .click();
  await p.getByTestId('session-details').waitFor();
  const button = p.getByRole('button', { name: 'Terminate…' });
  // The policy requires a reason: nothing to confirm without one.
  expect(await button.isDisabled()).toBe(true);
  await p.getByLabel('Reason (required)').focus();
  await p.keyboard.type('INC-4711 credential leak');
  await p.keyboard.press('Tab');
  await p.keyboard.press('Enter');
  // The confirmation button takes the focus; Enter confirms.
  await p.getByRole('button', { name: 'Yes, terminate' }).waitFor();
  await p.keyboard.press('Enter');
  const outcome = p.getByTestId('terminate-outcome');
  await outcome.waitFor();
  expect(await outcome.textContent()).toMatch(/^Terminated/);
  expect(gw.simulator.getSessions().find((s) => s.sessionId === hex('1'))!.end).not.toBe('');
});

step('offers a viewer no termination, and refuses the direct call', async () => {
  const p = await signInAs('Viewer');
  await rows(p).first().waitFor();
  await expect(p.getByRole('link', { name: 'terminate…' }).count()).resolves.toBe(0);
  await expect(p.getByRole('link', { name: 'Bulk terminate' }).count()).resolves.toBe(0);
  await p
    .locator(`tr[data-session="${hex('2')}"] a`)
    .first()
    .click();
  await p.getByTestId('session-details').waitFor();
  await expect(p.getByRole('button', { name: /Terminate/ }).count()).resolves.toBe(0);
  // The page's own token, sent straight to the API: the server refuses it.
  const answer = await p.evaluate(async (id) => {
    // Inside the page: only what the function itself names exists there.
    const { sessionStorage } = globalThis as unknown as InPage;
    const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'))!;
    const token = (JSON.parse(sessionStorage.getItem(key) ?? '{}') as { access_token: string })
      .access_token;
    const res = await fetch('/graphql', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($id: ID!) { terminateSession(id: $id, reason: "x") { terminated } }',
        variables: { id },
      }),
    });
    return (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
  }, hex('2'));
  expect(answer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect(active().some((s) => s.sessionId === hex('2'))).toBe(true);
});

step('offers the scoped dc-team user only the sessions its rules allow', async () => {
  const p = await signInAs('DC team');
  await rows(p).first().waitFor();
  const ids = await rows(p).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-session')));
  expect(ids.sort()).toEqual([hex('3')]);
  await expect(p.getByRole('link', { name: 'terminate…' }).count()).resolves.toBe(1);
});

step(
  'bulk: a dry run lists exactly the sessions; a double click and a retry end each once',
  async () => {
    const p = await signInAs('Operator');
    await p.getByRole('link', { name: 'Bulk terminate' }).click();
    await p.getByLabel('User').fill('bulk.user');
    await p.getByLabel('Reason (required)').fill('INC-4712 contain');
    const drops = gw.simulator.dropCount;
    await p.getByRole('button', { name: 'Dry run' }).click();
    const dry = p.getByTestId('dry-run');
    await dry.waitFor();
    const listed = await dry
      .locator('tr[data-session]')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-session')));
    expect(listed.sort()).toEqual([hex('5'), hex('6'), hex('7')]);
    expect(gw.simulator.dropCount).toBe(drops);
    await p.getByRole('button', { name: 'Terminate these 3 sessions…' }).click();
    // The real run reaches the gateway, but its answer is lost on the way back.
    const sent: string[] = [];
    await p.route('**/graphql', async (route) => {
      const body = route.request().postData() ?? '';
      if (!body.includes('"dryRun":false')) return route.continue();
      sent.push(
        (JSON.parse(body) as { variables: { idempotencyKey: string } }).variables.idempotencyKey,
      );
      if (sent.length > 1) return route.continue();
      await route.fetch();
      await route.abort('connectionreset');
    });
    await p.getByRole('button', { name: 'Yes, terminate 3' }).dblclick();
    await p.getByTestId('error').filter({ hasText: 'NETWORK' }).waitFor();
    expect(gw.simulator.dropCount).toBe(drops + 3);
    // Retrying the same confirmation sends its key again: the stored answer, no second drop.
    await p.getByRole('button', { name: 'Yes, terminate 3' }).click();
    const result = p.getByTestId('bulk-result');
    await result.waitFor();
    expect(await result.locator('h2').textContent()).toBe('3 terminated, 0 failed of 3');
    expect(await result.textContent()).toContain('nothing was repeated');
    expect(gw.simulator.dropCount).toBe(drops + 3);
    // The double click sent one request; the retry one more, with the same key.
    expect(sent).toHaveLength(2);
    expect(sent[1]).toBe(sent[0]);
    const bulk = await gw.graphql(
      '{ auditEvents(filter: {action: SESSION_TERMINATE_BULK}) { nodes { id } } }',
      {},
      gw.tokens.auditor,
    );
    // The dry run's record and the run's: the replayed retry wrote none.
    expect(bulk.json.data.auditEvents.nodes).toHaveLength(2);
    expect(active().filter((s) => s.user === 'bulk.user')).toEqual([]);
  },
);

step('the audit trail shows the termination, linked from the session', async () => {
  const p = await signInAs('Auditor');
  await p.getByRole('link', { name: 'Audit trail' }).click();
  await p.getByLabel('Session id').fill(hex('1'));
  await p.getByLabel('Action').selectOption('SESSION_TERMINATE');
  await p.getByRole('button', { name: 'Apply filters' }).click();
  const record = p.locator(`[data-testid=audit-events] li[data-session="${hex('1')}"]`);
  await record.first().waitFor();
  expect(await record.count()).toBe(1);
  await record.locator('summary').click();
  const text = await record.textContent();
  expect(text).toContain('INC-4711 credential leak');
  expect(text).toContain('alice');
  expect(text).toContain('succeeded');

  // An operator who also reads the audit log follows the session's link.
  await context!.close();
  const op = await signInAs('Operator');
  await op.goto(`${gw.url}/console/sessions/${hex('1')}`);
  await op.getByRole('link', { name: 'Audit records of this session' }).click();
  await op
    .locator(`[data-testid=audit-events] li[data-action=SESSION_TERMINATE]`)
    .first()
    .waitFor();
});

step('says plainly when the sign-in is no longer accepted, and signs in again', async () => {
  const p = await signInAs('Viewer');
  await rows(p).first().waitFor();
  // The stored token goes bad (as a revoked or expired one would): the API refuses it.
  await p.evaluate(() => {
    const { sessionStorage } = globalThis as unknown as InPage;
    const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'))!;
    const user = JSON.parse(sessionStorage.getItem(key) ?? '{}') as { access_token: string };
    sessionStorage[key] = JSON.stringify({ ...user, access_token: `${user.access_token}x` });
  });
  await p.reload();
  await p.getByRole('heading', { name: 'Your session has expired' }).waitFor();
  await p.getByRole('button', { name: 'Sign in again' }).click();
  await p.getByRole('button', { name: /^Viewer / }).click();
  await rows(p).first().waitFor();
});

step('works in a narrow window', async () => {
  const p = await signInAs('Operator', { width: 390, height: 800 });
  await rows(p).first().waitFor();
  const overflow = await p.evaluate(() => {
    const w = globalThis as unknown as InPage;
    return w.document.documentElement.scrollWidth - w.innerWidth;
  });
  expect(overflow).toBeLessThanOrEqual(0);
});
