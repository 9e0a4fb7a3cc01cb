import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/**
 * Builds the operator console (`npm run console:build`) when there is no build yet, so a fresh
 * `npm ci` followed by `npm run demo` or `npm test` serves it. An existing build is kept.
 */
export function ensureConsoleBuilt(): void {
  if (existsSync(join(ROOT, 'console', 'dist', 'index.html'))) return;
  execFileSync('npm', ['run', '--silent', 'console:build'], { cwd: ROOT, stdio: 'inherit' });
}
