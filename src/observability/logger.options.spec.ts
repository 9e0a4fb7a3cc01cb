import { Writable } from 'node:stream';
import pinoHttp, { type Options } from 'pino-http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bufferedDestination, LOG_BUFFER_BYTES, loggerParams } from './logger.options';

describe('loggerParams', () => {
  it('redacts secret keys in what the gateway logs, through the logger it configures', () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const [options] = loggerParams({ logLevel: 'info' }, stream).pinoHttp as [Options];
    const { logger } = pinoHttp(options, stream);
    logger.info(
      {
        upstream: { headers: { Authorization: 'Bearer tok-canary' }, client_secret: 'sec-canary' },
      },
      'call',
    );
    logger.info({ event: { reason: 'incident 42' } }, 'plain');
    const [redacted, plain] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(redacted.upstream).toEqual({
      headers: { Authorization: '[redacted]' },
      client_secret: '[redacted]',
    });
    expect(lines[0]).not.toMatch(/canary/);
    expect(plain.event).toEqual({ reason: 'incident 42' });
  });
});

describe('the buffered log destination', () => {
  it('writes each full block at once: no backlog builds while the event loop is busy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgw-log-'));
    try {
      const file = join(dir, 'out.log');
      const dest = bufferedDestination(file);
      // What a saturated gateway logs without yielding: 2 MiB of lines in one turn.
      const line = `${JSON.stringify({ level: 30, msg: 'x'.repeat(1000) })}\n`;
      const lines = Math.ceil((2 * 1024 * 1024) / line.length);
      for (let i = 0; i < lines; i++) dest.write(line);
      // Before any event-loop turn, all but the last partial block is in the file.
      expect(readFileSync(file, 'utf8').length).toBeGreaterThanOrEqual(
        lines * line.length - LOG_BUFFER_BYTES,
      );
      dest.flushSync();
      expect(readFileSync(file, 'utf8').length).toBe(lines * line.length);
      await new Promise<void>((resolve) => {
        dest.once('close', () => resolve());
        dest.end();
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
