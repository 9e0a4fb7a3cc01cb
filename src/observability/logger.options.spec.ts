import { Writable } from 'node:stream';
import pinoHttp, { type Options } from 'pino-http';
import { loggerParams } from './logger.options';

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
