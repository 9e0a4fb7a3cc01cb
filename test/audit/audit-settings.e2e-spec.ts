import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAuditSettings } from '../../src/config/audit-settings';

describe('loadAuditSettings (the verify CLI configuration)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-settings-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to the SQLite file under ./data and no key', () => {
    expect(loadAuditSettings({})).toEqual({
      ok: true,
      settings: { databaseUrl: 'sqlite:./data/audit.db' },
    });
    expect(loadAuditSettings({ AUDIT_DATABASE_URL: '', AUDIT_HMAC_KEY: '  ' })).toEqual({
      ok: true,
      settings: { databaseUrl: 'sqlite:./data/audit.db' },
    });
  });

  it('reads NAME_FILE for the URL and the key, trimmed', () => {
    writeFileSync(join(dir, 'url'), 'postgres://gw:pw@db/audit\n');
    writeFileSync(join(dir, 'key'), '  s3cret-key \n');
    expect(
      loadAuditSettings({
        AUDIT_DATABASE_URL_FILE: join(dir, 'url'),
        AUDIT_HMAC_KEY_FILE: join(dir, 'key'),
      }),
    ).toEqual({
      ok: true,
      settings: { databaseUrl: 'postgres://gw:pw@db/audit', hmacKey: 's3cret-key' },
    });
  });

  it('reports one line per problem, naming the variable and never the value', () => {
    const result = loadAuditSettings({
      AUDIT_DATABASE_URL: 'mysql://user:hunter2@db/audit',
      AUDIT_HMAC_KEY_FILE: join(dir, 'missing'),
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        'AUDIT_HMAC_KEY_FILE: must be a readable file',
        'AUDIT_DATABASE_URL: must be sqlite:<path> or postgres://…',
      ],
    });
    expect(JSON.stringify(result)).not.toContain('hunter2');
    expect(
      loadAuditSettings({
        AUDIT_DATABASE_URL: 'sqlite:a.db',
        AUDIT_DATABASE_URL_FILE: join(dir, 'url'),
      }),
    ).toEqual({
      ok: false,
      errors: ['AUDIT_DATABASE_URL_FILE: cannot be set together with AUDIT_DATABASE_URL'],
    });
  });
});
