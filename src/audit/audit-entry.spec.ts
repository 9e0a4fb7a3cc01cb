import { canonicalJson } from './audit-hash';
import {
  CHAIN_COLUMNS,
  canonicalEntry,
  intentDraft,
  outcomeDraft,
  sealEntry,
  type ChainRow,
} from './audit-entry';

/**
 * The definition canonicalEntry must keep to, byte for byte (stored chains depend on it).
 * Columns added later (actor_username) are left out while null, as entries written before them.
 */
function reference(row: Omit<ChainRow, 'hash'>): string {
  const fields: Record<string, unknown> = {};
  for (const col of CHAIN_COLUMNS) {
    if (col === 'hash') continue;
    const value = (row as Record<string, unknown>)[col] ?? null;
    if (col === 'actor_username' && value === null) continue;
    fields[col] = value;
  }
  fields.seq = Number(row.seq);
  return canonicalJson(fields);
}

describe('canonicalEntry', () => {
  const intent = sealEntry(
    intentDraft({
      requestId: 'req-1',
      channel: 'rest',
      actor: {
        id: 'u1',
        kind: 'user',
        name: 'Zoë "ops"',
        roles: ['b', 'a'],
        ip: '::1',
        userAgent: 'curl\n',
      },
      action: 'session.terminate',
      sessionId: 'e7acacb6aedbab70073456da5744166939b77527',
      reason: 'incident \u2028 <42>',
      decision: 'allowed',
      details: { z: 1, a: [{ y: null, b: 'x' }] },
    }),
    7,
    '2026-11-30T00:00:00.000Z',
    '0'.repeat(64),
    'key',
  );
  const outcome = sealEntry(
    outcomeDraft(intent.id, {
      outcome: 'failed',
      errorCode: 'UPSTREAM_TIMEOUT',
      upstream: { status: 504, message: 'timeout', durationMs: 10_000.4 },
    }),
    8,
    '2026-11-30T00:00:01.000Z',
    intent.hash,
    undefined,
  );

  it.each([
    ['an intent', intent],
    ['an outcome', outcome],
  ])('matches the generic canonical JSON of %s', (_, row) => {
    expect(canonicalEntry(row)).toBe(reference(row));
  });

  it('matches it for rows as another store or a tamperer may return them', () => {
    const odd = {
      ...intent,
      seq: '42' as unknown as number,
      upstream_status: '200' as unknown as number,
      details: { b: 1, a: 2 } as unknown as string,
      reason: undefined as unknown as string,
    };
    expect(canonicalEntry(odd)).toBe(reference(odd));
    expect(canonicalEntry(odd)).toContain('"details":{"a":2,"b":1}');
    expect(canonicalEntry(odd)).toContain('"seq":42');
  });

  it('hashes actor_username when set, and leaves it out when null (entries written before it)', () => {
    expect(intent.actor_username).toBeNull();
    expect(canonicalEntry(intent)).not.toContain('actor_username');
    const bound = { ...intent, actor_username: 'jsilva' };
    expect(canonicalEntry(bound)).toBe(reference(bound));
    expect(canonicalEntry(bound)).toContain(
      // The fixture's user agent `curl\n`, sanitised before sealing (audit-text.ts).
      '"actor_user_agent":"curl\uFFFD","actor_username":"jsilva"',
    );
    // An entry as written before the column existed: the text it was hashed with is unchanged.
    const { actor_username: _unused, ...old } = intent;
    expect(canonicalEntry(old as unknown as ChainRow)).toBe(canonicalEntry(intent));
  });
});
