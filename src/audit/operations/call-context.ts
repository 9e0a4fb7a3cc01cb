import type { Principal } from '../../auth/principal';
import type { Channel } from '../../auth/request-context';
import type { AuditIntent } from '../audit.types';

/** Who asked, over which channel, under which request id. */
export interface CallContext {
  principal: Principal;
  channel: Channel;
  requestId: string;
}

/** The fields every audit record of one request shares. */
export type AuditBase = Omit<AuditIntent, 'decision' | 'sessionId' | 'parentId'>;

/** AuditBase, and the session the request names when it names one. */
export type RequestBase = AuditBase & { sessionId?: string };
