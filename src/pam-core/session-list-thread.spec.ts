import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The list threads must never keep the process alive: the spare thread idles unref'd, and a
 * thread taken for a list ends when its sessions are taken. Run in a process of its own, as a
 * gateway or a test runner would: with the spare left ref'd, the process never exited (the hang
 * that kept jest from exiting after the whole suite had passed).
 */
describe('session list threads', () => {
  const script = `
    const { parseListAnswer, parseSharedList } = require(${JSON.stringify(join(__dirname, 'session-list-thread.ts'))});
    (async () => {
      const body = { remote_sessions: [{ session_id: 'b1' }, { session_id: 'a1' }] };
      const list = await parseListAnswer(Buffer.from(JSON.stringify(body)), 'application/json',
        { key: 'remote_sessions', sort: true, serialise: true });
      const taken = await list.take();
      const shared = await parseSharedList(taken.serialised);
      const refused = await parseListAnswer(Buffer.from('not json'), 'text/plain',
        { key: 'remote_sessions', sort: false, serialise: false });
      refused.discard();
      process.stdout.write(JSON.stringify({
        taken: taken.sessions.map((s) => s.sessionId),
        shared: shared.sessions.map((s) => s.sessionId),
      }));
    })();
  `;

  it('lets the process exit once a list is parsed and taken, a shared copy read and an error discarded', () => {
    const run = spawnSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-e', script],
      {
        encoding: 'utf8',
        // Far above the few seconds it takes; a process that does not exit is killed here.
        timeout: 30_000,
      },
    );
    expect({ signal: run.signal, status: run.status, stderr: run.stderr }).toEqual({
      signal: null,
      status: 0,
      stderr: '',
    });
    expect(JSON.parse(run.stdout)).toEqual({ taken: ['a1', 'b1'], shared: ['a1', 'b1'] });
  }, 60_000);
});
