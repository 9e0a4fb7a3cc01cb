import { generateKeyPairSync } from 'node:crypto';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_NAME,
  checkpointName,
  keyFingerprint,
  parseCheckpoint,
  signatureValid,
  signCheckpoint,
  signedText,
  type CheckpointBody,
} from './checkpoint-file';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');

const body = (over: Partial<CheckpointBody> = {}): CheckpointBody => ({
  format: CHECKPOINT_FORMAT,
  seq: 12,
  hash: 'a'.repeat(64),
  entries: 12,
  time: '2026-12-01T23:00:00.000Z',
  prev: 'checkpoint-0000000000000007-20261201T225900000Z.json',
  prevSha256: 'b'.repeat(64),
  key: keyFingerprint(privateKey),
  ...over,
});

describe('checkpoint files', () => {
  it('sign a canonical text: keys sorted, no whitespace (docs/audit-record.md)', () => {
    expect(signedText(body({ key: 'sha256:' + 'c'.repeat(64) })).toString()).toBe(
      `{"entries":12,"format":"${CHECKPOINT_FORMAT}","hash":"${'a'.repeat(64)}",` +
        `"key":"sha256:${'c'.repeat(64)}","prev":"checkpoint-0000000000000007-20261201T225900000Z.json",` +
        `"prevSha256":"${'b'.repeat(64)}","seq":12,"time":"2026-12-01T23:00:00.000Z"}`,
    );
  });

  it('are named so that names sort by seq', () => {
    const name = checkpointName(12, '2026-12-01T23:00:00.000Z');
    expect(name).toBe('checkpoint-0000000000000012-20261201T230000000Z.json');
    expect(CHECKPOINT_NAME.test(name)).toBe(true);
    expect([checkpointName(100, body().time), name].sort()[0]).toBe(name);
  });

  it('verify when untouched and not when any signed field changed', () => {
    const parsed = parseCheckpoint(signCheckpoint(body(), privateKey));
    if (typeof parsed === 'string') throw new Error(parsed);
    expect(signatureValid(parsed, publicKey)).toBe(true);
    expect(signatureValid({ ...parsed, entries: 11 }, publicKey)).toBe(false);
    expect(signatureValid({ ...parsed, prev: null, prevSha256: null }, publicKey)).toBe(false);
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(signatureValid(parsed, other)).toBe(false);
  });

  it('refuse malformed files with the fields named', () => {
    expect(parseCheckpoint(Buffer.from('nope'))).toBe('is not JSON');
    expect(parseCheckpoint(Buffer.from('[]'))).toBe('is not a JSON object');
    expect(parseCheckpoint(Buffer.from('{"format":"x"}'))).toBe(
      `format is not ${CHECKPOINT_FORMAT}`,
    );
    const bad = { ...body({ seq: -1, prev: '../etc/passwd' }), signature: 'x' };
    expect(parseCheckpoint(Buffer.from(JSON.stringify(bad)))).toBe(
      'malformed field(s): seq, prev, signature',
    );
  });
});
