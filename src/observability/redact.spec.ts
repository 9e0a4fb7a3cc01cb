import { REDACTED, redactSecrets } from './redact';

describe('redactSecrets', () => {
  it('returns the very same object when there is nothing to hide', () => {
    const line = {
      audit: true,
      event: { actor: { id: 'u1', roles: ['a'] }, reason: 'incident 42', tags: [{ k: 'v' }] },
      req: { id: 'r', method: 'POST', path: '/x' },
    };
    expect(redactSecrets(line)).toBe(line);
  });

  it('replaces secret keys at any depth and in arrays, case-insensitively, without touching the original', () => {
    const line = {
      headers: { Authorization: 'Bearer abc', 'X-Api-Key': 'k', accept: 'json' },
      nested: { deeper: { client_secret: 's', list: [{ access_token: 't', ok: 1 }] } },
      token: 'top',
      keep: 'me',
    };
    const out = redactSecrets(line);
    expect(out).toEqual({
      headers: { Authorization: REDACTED, 'X-Api-Key': REDACTED, accept: 'json' },
      nested: { deeper: { client_secret: REDACTED, list: [{ access_token: REDACTED, ok: 1 }] } },
      token: REDACTED,
      keep: 'me',
    });
    expect(line.headers.Authorization).toBe('Bearer abc');
    expect(line.nested.deeper.list[0].access_token).toBe('t');
    // Untouched branches are shared, not copied.
    expect(JSON.stringify(out)).not.toMatch(/abc|"s"|"t"|top/);
  });

  it('looks inside errors, their enumerable fields and their cause, keeping message and stack', () => {
    const cause = Object.assign(new Error('inner'), {
      config: { headers: { authorization: 'x' } },
    });
    const err = Object.assign(new Error('outer', { cause }), { password: 'p', code: 'E1' });
    const out = redactSecrets({ err }) as unknown as { err: Record<string, unknown> };
    expect(out.err.message).toBe('outer');
    expect(out.err.stack).toBe(err.stack);
    expect(out.err.type).toBe('Error');
    expect(out.err.password).toBe(REDACTED);
    expect(out.err.code).toBe('E1');
    const c = out.err.cause as Record<string, unknown>;
    expect(c.message).toBe('inner');
    expect((c.config as { headers: { authorization: string } }).headers.authorization).toBe(
      REDACTED,
    );
    expect(err.password).toBe('p');
  });

  it('leaves class instances such as Buffers alone and survives cycles', () => {
    const buf = Buffer.from('secret bytes');
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    expect(redactSecrets({ buf, cyclic }).buf).toBe(buf);
    const withSecret: Record<string, unknown> = { password: 'p' };
    withSecret.self = withSecret;
    const out = redactSecrets({ withSecret });
    expect(out.withSecret.password).toBe(REDACTED);
  });
});
