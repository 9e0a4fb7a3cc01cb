import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CheckpointVerdict } from './checkpoint-verifier';

export const USAGE = [
  'usage: audit:verify                                          check the chain',
  '       audit:verify --checkpoints DIR --public-key FILE      check the chain and its checkpoints',
  '       audit:verify public-key                               print the checkpoint public key (PEM)',
];

export type CliCommand =
  | { kind: 'verify'; checkpoints?: { dir: string; publicKey: KeyObject } }
  | { kind: 'public-key' }
  | { kind: 'usage'; problems: string[] };

/** The command the arguments ask for; `usage` with the problems when they are wrong. */
export function parseCommand(argv: string[]): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { checkpoints: { type: 'string' }, 'public-key': { type: 'string' } },
    });
  } catch (e) {
    return { kind: 'usage', problems: [e instanceof Error ? e.message : String(e)] };
  }
  const { values, positionals } = parsed;
  if (positionals.length === 1 && positionals[0] === 'public-key') {
    if (values.checkpoints !== undefined || values['public-key'] !== undefined) {
      return { kind: 'usage', problems: ['public-key takes no options'] };
    }
    return { kind: 'public-key' };
  }
  if (positionals.length > 0) {
    return { kind: 'usage', problems: [`unknown command "${positionals.join(' ')}"`] };
  }
  const dir = values.checkpoints;
  const keyFile = values['public-key'];
  if (dir === undefined && keyFile === undefined) return { kind: 'verify' };
  if (dir === undefined || keyFile === undefined) {
    return { kind: 'usage', problems: ['--checkpoints and --public-key go together'] };
  }
  const problems: string[] = [];
  if (!isDirectory(dir)) problems.push('--checkpoints: must be a readable directory');
  const publicKey = readPublicKey(keyFile, problems);
  if (problems.length > 0 || !publicKey) return { kind: 'usage', problems };
  return { kind: 'verify', checkpoints: { dir, publicKey } };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** An Ed25519 public key (PEM SPKI); a private key is refused: auditors need only the public one. */
function readPublicKey(file: string, problems: string[]): KeyObject | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    problems.push('--public-key: must be a readable file');
    return undefined;
  }
  if (text.includes('PRIVATE KEY')) {
    problems.push('--public-key: holds a private key; give the public key (audit:public-key)');
    return undefined;
  }
  try {
    const key = createPublicKey({ key: text, format: 'pem' });
    if (key.asymmetricKeyType === 'ed25519') return key;
  } catch {
    // Reported below, like a key of another type.
  }
  problems.push('--public-key: must be an Ed25519 public key in PEM (SPKI)');
  return undefined;
}

/** The lines for a checkpoint verdict, and whether it passed. */
export function describeVerdict(
  verdict: CheckpointVerdict,
  dir: string,
  entries: number,
): { ok: boolean; lines: string[] } {
  if (!verdict.ok) {
    const { name, problem } = verdict.contradicted;
    return { ok: false, lines: [`checkpoint ${name} CONTRADICTED: ${problem}`] };
  }
  if (!verdict.newest) {
    return { ok: true, lines: [`checkpoints: none in ${dir}; only the chain was checked`] };
  }
  const { name, file } = verdict.newest;
  const after = entries - file.entries;
  return {
    ok: true,
    lines: [
      `checkpoints intact: ${verdict.count}, the newest ${name} at seq ${file.seq} ` +
        `(${after} entries after it, covered by no checkpoint yet)`,
    ],
  };
}
