import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { ApiKeyService } from './api-key.service';
import { loadApiKeysFile } from './api-keys.file';

const dir = mkdtempSync(join(tmpdir(), 'api-keys-spec-'));
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
function file(name: string, contents: string): string {
  const path = join(dir, name);
  writeFileSync(path, contents);
  return path;
}
const problemsOf = (path: string): string => {
  try {
    loadApiKeysFile(path);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the file to be refused');
};

describe('loadApiKeysFile', () => {
  it('reads YAML and JSON lists', () => {
    const yaml = file(
      'keys.yaml',
      `- id: billing\n  sha256: ${sha('k1')}\n  roles: [session-operator]\n`,
    );
    const json = file(
      'keys.json',
      JSON.stringify([{ id: 'billing', sha256: sha('k1'), roles: ['session-operator'] }]),
    );
    const expected = [{ id: 'billing', sha256: sha('k1'), roles: ['session-operator'] }];
    expect(loadApiKeysFile(yaml)).toEqual(expected);
    expect(loadApiKeysFile(json)).toEqual(expected);
  });

  it('accepts an empty file as no keys, and normalises an upper-case hash', () => {
    expect(loadApiKeysFile(file('empty.yaml', ''))).toEqual([]);
    const upper = file('upper.yaml', `- {id: a, sha256: ${sha('k').toUpperCase()}, roles: []}\n`);
    expect(loadApiKeysFile(upper)[0].sha256).toBe(sha('k'));
  });

  it('names the file and every problem with its place', () => {
    const path = file(
      'bad.yaml',
      [
        `- {id: ok, sha256: ${sha('1')}, roles: []}`,
        `- {id: "has space", sha256: ${sha('2')}, roles: []}`,
        `- {id: short, sha256: abc123, roles: []}`,
        `- {id: noroles, sha256: ${sha('3')}}`,
        `- {id: ok, sha256: ${sha('1')}, roles: [""], key: plaintext}`,
      ].join('\n'),
    );
    const message = problemsOf(path);
    expect(message.split('\n')[0]).toBe(`Invalid API keys file ${path} (AUTH_API_KEYS_FILE):`);
    expect(message).toContain('[1].[id]: must be 1-128 letters');
    expect(message).toContain('[2].[sha256]: must be the hex SHA-256 of the key');
    expect(message).toContain('[3].[roles]:');
    expect(message).toContain('[4]: Unrecognized key: "key"');
    expect(message).toContain('[4].[roles].[0]: must not be empty');
  });

  it('refuses duplicate ids and duplicate hashes', () => {
    const path = file(
      'dups.yaml',
      `- {id: a, sha256: ${sha('1')}, roles: []}\n- {id: a, sha256: ${sha('1')}, roles: []}\n`,
    );
    const message = problemsOf(path);
    expect(message).toContain('[1].[id]: duplicate id "a"');
    expect(message).toContain('[1].[sha256]: the same key hash appears twice');
  });

  it('refuses a mapping, a broken file and a missing file', () => {
    expect(problemsOf(file('map.yaml', 'billing: abc\n'))).toContain(
      '(file): must be a list of {id, sha256, roles} entries',
    );
    expect(problemsOf(file('broken.json', '[{"id": "a",'))).toContain('is not valid YAML/JSON');
    expect(problemsOf(join(dir, 'absent.yaml'))).toContain('cannot be read: ENOENT');
  });
});

describe('ApiKeyService', () => {
  const service = (apiKeysFile?: string) =>
    new ApiKeyService({ auth: { apiKeysFile } } as AppConfig);

  it('identifies the service a key belongs to', () => {
    const path = file(
      'svc.yaml',
      `- {id: first, sha256: ${sha('key-one')}, roles: [a]}\n- {id: second, sha256: ${sha('key-two')}, roles: [b, c]}\n`,
    );
    const keys = service(path);
    expect(keys.enabled).toBe(true);
    expect(keys.identify('key-two')).toEqual({
      id: 'second',
      key: 'apikey:second',
      kind: 'service',
      name: 'second',
      username: 'second',
      roles: ['b', 'c'],
    });
    expect(keys.identify('key-one')?.id).toBe('first');
  });

  it('knows nothing of other keys, prefixes or hashes', () => {
    const keys = service(
      file('one.yaml', `- {id: first, sha256: ${sha('key-one')}, roles: [a]}\n`),
    );
    expect(keys.identify('key-on')).toBeUndefined();
    expect(keys.identify('key-one ')).toBeUndefined();
    expect(keys.identify(sha('key-one'))).toBeUndefined();
    expect(keys.identify('')).toBeUndefined();
  });

  it('is disabled without a file', () => {
    const keys = service(undefined);
    expect(keys.enabled).toBe(false);
    expect(keys.identify('anything')).toBeUndefined();
  });

  it('hands out a copy of the roles, so a caller cannot change the configuration', () => {
    const keys = service(file('copy.yaml', `- {id: first, sha256: ${sha('k')}, roles: [a]}\n`));
    keys.identify('k')?.roles.push('admin');
    expect(keys.identify('k')?.roles).toEqual(['a']);
  });
});
