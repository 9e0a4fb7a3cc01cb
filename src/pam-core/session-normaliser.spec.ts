import {
  durationSeconds,
  naiveTimestamp,
  normaliseSessionList,
  splitDevice,
} from './session-normaliser';

const EN_ENTRY = {
  id: '3',
  user: 'Admin',
  origin_ip: '172.16.20.125',
  credential: 'usrdomadm01',
  device: '10.66.33.15:3389',
  protocol: 'rdp',
  proxy: 'Web Proxy',
  session_id: 'e7acacb6aedbab70073456da5744166939b77527',
  start: '2024-05-06 16:05:07',
  end: '2024-05-06 16:07:59',
  time: '00:02:52',
  prevent_purge: 'No',
  request: null,
  ITSM: null,
};

describe('session normaliser', () => {
  it('normalises the documented English entry', () => {
    const { sessions, skipped } = normaliseSessionList({ code: 200, remote_sessions: [EN_ENTRY] });
    expect(skipped).toBe(0);
    expect(sessions).toEqual([
      {
        sessionId: 'e7acacb6aedbab70073456da5744166939b77527',
        recordId: '3',
        user: 'Admin',
        originIp: '172.16.20.125',
        credential: 'usrdomadm01',
        device: '10.66.33.15:3389',
        deviceHost: '10.66.33.15',
        devicePort: 3389,
        protocol: 'rdp',
        proxy: 'Web Proxy',
        start: '2024-05-06T16:05:07',
        end: '2024-05-06T16:07:59',
        durationSeconds: 172,
        active: false,
        itsm: null,
      },
    ]);
  });

  it('reads Portuguese keys and marks a session without end as active', () => {
    const { credential: _c, device: _d, ...rest } = EN_ENTRY;
    const pt = {
      ...rest,
      id: 7,
      credencial: 'root',
      dispositivo: 'srv01.corp:22',
      prevent_purge: 'Não',
      end: '',
      ITSM: 'CHG0042',
      time: '125:00:01',
    };
    const [s] = normaliseSessionList({ remote_sessions: [pt] }).sessions;
    expect(s).toMatchObject({
      recordId: '7',
      credential: 'root',
      device: 'srv01.corp:22',
      deviceHost: 'srv01.corp',
      devicePort: 22,
      end: null,
      active: true,
      itsm: 'CHG0042',
      durationSeconds: 125 * 3600 + 1,
    });
  });

  it.each([[null], [''], ['0000-00-00 00:00:00'], [undefined]])('end %p means active', (end) => {
    const [s] = normaliseSessionList({ remote_sessions: [{ ...EN_ENTRY, end }] }).sessions;
    expect(s.active).toBe(true);
    expect(s.end).toBeNull();
  });

  it('skips and counts entries without a usable session_id', () => {
    const list = [
      EN_ENTRY,
      { ...EN_ENTRY, session_id: '' },
      { ...EN_ENTRY, session_id: '../etc' },
      { id: '9' },
      null,
      'junk',
      42,
    ];
    const { sessions, skipped } = normaliseSessionList({ remote_sessions: list });
    expect(sessions).toHaveLength(1);
    expect(skipped).toBe(6);
  });

  it('turns numeric ids into strings', () => {
    const [s] = normaliseSessionList({
      remote_sessions: [{ ...EN_ENTRY, id: 12, session_id: 123456 }],
    }).sessions;
    expect(s.recordId).toBe('12');
    expect(s.sessionId).toBe('123456');
  });

  it.each([
    [{}],
    [{ remote_sessions: null }],
    [{ remote_sessions: 'x' }],
    [{ remote_sessions: {} }],
  ])('tolerates a missing or odd list %p', (body) => {
    expect(normaliseSessionList(body)).toEqual({ sessions: [], skipped: 0 });
  });

  it.each([
    ['10.0.0.1:3389', '10.0.0.1', 3389],
    ['[2001:db8::1]:22', '2001:db8::1', 22],
    ['[2001:db8::1]', '2001:db8::1', null],
    ['2001:db8::1', '2001:db8::1', null],
    ['host.example', 'host.example', null],
    ['host.example:99999', 'host.example:99999', null],
    ['host:abc', 'host:abc', null],
  ])('splits device %s', (device, host, port) => {
    expect(splitDevice(device)).toEqual({ host, port });
  });

  it('parses timestamps and durations strictly', () => {
    expect(naiveTimestamp('2024-05-06 16:05:07')).toBe('2024-05-06T16:05:07');
    expect(naiveTimestamp('2024-05-06T16:05:07')).toBe('2024-05-06T16:05:07');
    expect(naiveTimestamp('06/05/2024 16:05')).toBeNull();
    expect(naiveTimestamp(12)).toBeNull();
    expect(durationSeconds('00:02:52')).toBe(172);
    expect(durationSeconds('1:00:00')).toBe(3600);
    expect(durationSeconds('00:61:00')).toBeNull();
    expect(durationSeconds(null)).toBeNull();
  });
});
