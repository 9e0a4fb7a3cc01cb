/**
 * /__sim control API: lets a gateway or test in another process (benchmarks, the demo) drive
 * the simulator. Never authenticated, never recorded, never subject to faults.
 */
import { parseTimes, validateFault, validateMatch } from './faults';
import { jsonReply } from './http-util';
import type { SimReply } from './segura-responses';
import type { Fault, FaultMatch, RecordedRequest, SimSession } from './types';

export const CONTROL_PREFIX = '/__sim';

/** The part of PamCoreSimulator the control API drives. */
export interface ControlTarget {
  readonly requests: RecordedRequest[];
  readonly tokenRequests: number;
  readonly issuedTokens: string[];
  readonly dropCount: number;
  resetRequests(): void;
  injectFault(fault: Fault, match?: FaultMatch, times?: number): void;
  clearFaults(): void;
  release(): void;
  getSessions(): SimSession[];
  addSession(partial?: Partial<SimSession>): SimSession;
  seedSessions(list: SimSession[]): void;
  revokeTokens(): void;
}

export function isControlPath(path: string): boolean {
  return path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`);
}

function parseJson(body: string): unknown {
  return body.trim() === '' ? undefined : JSON.parse(body);
}

const badRequest = (message: string): SimReply => jsonReply(400, { message });

export function handleControl(
  sim: ControlTarget,
  method: string,
  path: string,
  body: string,
): SimReply {
  let input: unknown;
  try {
    input = parseJson(body);
  } catch {
    return badRequest('body is not JSON');
  }
  try {
    return route(sim, `${method} ${path.slice(CONTROL_PREFIX.length)}`, input);
  } catch (err) {
    return badRequest(err instanceof Error ? err.message : 'bad request');
  }
}

function route(sim: ControlTarget, key: string, input: unknown): SimReply {
  switch (key) {
    case 'GET /requests':
      return jsonReply(200, sim.requests);
    case 'DELETE /requests':
      sim.resetRequests();
      return jsonReply(204, undefined);
    case 'GET /stats':
      return jsonReply(200, {
        tokenRequests: sim.tokenRequests,
        dropCount: sim.dropCount,
        sessions: sim.getSessions().length,
        issuedTokens: sim.issuedTokens.length,
      });
    case 'POST /faults': {
      if (typeof input !== 'object' || input === null)
        throw new Error('body must be {fault, match?, times?}');
      const { fault, match, times } = input as Record<string, unknown>;
      sim.injectFault(validateFault(fault), validateMatch(match), parseTimes(times));
      return jsonReply(201, { queued: true });
    }
    case 'DELETE /faults':
      sim.clearFaults();
      return jsonReply(204, undefined);
    case 'POST /release':
      sim.release();
      return jsonReply(204, undefined);
    case 'GET /sessions':
      return jsonReply(200, sim.getSessions());
    case 'POST /sessions':
      if (
        input !== undefined &&
        (typeof input !== 'object' || input === null || Array.isArray(input))
      )
        throw new Error('body must be a partial session object');
      return jsonReply(201, sim.addSession(input));
    case 'PUT /sessions':
      if (!Array.isArray(input)) throw new Error('body must be an array of sessions');
      sim.seedSessions(input as SimSession[]);
      return jsonReply(200, sim.getSessions());
    case 'POST /revoke-tokens':
      sim.revokeTokens();
      return jsonReply(204, undefined);
    default:
      return jsonReply(404, { message: 'unknown simulator control endpoint' });
  }
}
