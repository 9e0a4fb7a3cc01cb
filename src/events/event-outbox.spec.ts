import {
  intentDraft,
  outcomeDraft,
  sealEntry,
  toAuditRecord,
  type ChainRow,
} from '../audit/audit-entry';
import type { AuditIntent } from '../audit/audit.types';
import { EventOutbox } from './event-outbox';

const TIME = '2026-12-01T12:00:00.000Z';
let seq = 0;
const seal = (draft: ReturnType<typeof intentDraft>): ChainRow =>
  sealEntry(draft, ++seq, TIME, 'prev', undefined);

const intent = (over: Partial<AuditIntent> = {}): AuditIntent => ({
  requestId: 'req-1',
  channel: 'rest',
  actor: { id: 'alice', kind: 'user', name: 'alice', roles: ['session-operator'], ip: '10.0.0.1' },
  action: 'session.terminate',
  sessionId: 'e7ac',
  reason: 'INC-1',
  decision: 'allowed',
  ...over,
});

describe('EventOutbox.rowsFor', () => {
  const outbox = new EventOutbox('gw-1');

  it('an allowed intent waits for its outcome; the outcome carries the whole record', () => {
    const i = seal(intentDraft(intent()));
    expect(outbox.rowsFor([{ rows: [i], closed: new Map() }])).toEqual([]);
    const o = seal(outcomeDraft(i.id, { outcome: 'succeeded' }));
    const [row] = outbox.rowsFor([{ rows: [o], closed: new Map([[i.id, i]]) }]);
    expect(row).toMatchObject({ seq: o.seq, id: i.id, time: o.time });
    expect(JSON.parse(row.body)).toEqual({
      specversion: '1.0',
      id: i.id,
      source: 'urn:pam-gateway:gw-1',
      type: 'pam-gateway.session.terminate',
      time: i.time,
      subject: 'e7ac',
      datacontenttype: 'application/json',
      data: JSON.parse(JSON.stringify(toAuditRecord(i, o))),
    });
  });

  it('denied and invalid records are complete when written; reads never become events', () => {
    const denied = seal(intentDraft(intent({ decision: 'denied', errorCode: 'FORBIDDEN' })));
    const invalid = seal(intentDraft(intent({ decision: 'invalid', sessionId: undefined })));
    const read = seal(intentDraft(intent({ action: 'audit.read', decision: 'invalid' })));
    const list = seal(intentDraft(intent({ action: 'session.read' })));
    const listDone = seal(outcomeDraft(list.id, { outcome: 'succeeded' }));
    const rows = outbox.rowsFor([
      { rows: [denied], closed: new Map() },
      { rows: [invalid, read], closed: new Map() },
      { rows: [list, listDone], closed: new Map([[list.id, list]]) },
    ]);
    expect(rows.map((r) => r.id)).toEqual([denied.id, invalid.id]);
    expect(JSON.parse(rows[1].body)).not.toHaveProperty('subject');
  });
});
