import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

/** Where `npm run console:build` writes the console: console/dist at the repository root. */
export const CONSOLE_BUILD_DIR = join(__dirname, '..', '..', 'console', 'dist');

export interface ConsoleFile {
  body: Buffer;
  type: string;
  etag: string;
  /** Vite's hashed output (assets/): its name changes when its content does. */
  immutable: boolean;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The most a console build may hold in memory (it is a few hundred KiB). */
const MAX_TOTAL_BYTES = 32 * 1024 * 1024;

/**
 * The built console, read once at start and served from memory: a request path is only ever a
 * key into this map, so no request can name a file outside the build. Null when not built.
 */
export function loadConsoleFiles(dir = CONSOLE_BUILD_DIR): Map<string, ConsoleFile> | null {
  if (!existsSync(join(dir, 'index.html'))) return null;
  const files = new Map<string, ConsoleFile>();
  let total = 0;
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      const st = statSync(full);
      if (st.isDirectory()) walk(full);
      else if (st.isFile() && TYPES[extname(name)] !== undefined) {
        const body = readFileSync(full);
        total += body.length;
        if (total > MAX_TOTAL_BYTES) throw new Error(`console build in ${dir} is too large`);
        const key = relative(dir, full).split(sep).join('/');
        files.set(key, {
          body,
          type: TYPES[extname(name)],
          etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
          immutable: key.startsWith('assets/'),
        });
      }
    }
  };
  walk(dir);
  return files;
}
