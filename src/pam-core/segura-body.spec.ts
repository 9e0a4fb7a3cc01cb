import { envelope, res } from '../../test/pam-core/segura-fixtures';
import { classifyAnswer } from './response-classifier';
import { cleanMessage } from './segura-body';

describe('classifyAnswer, success and untrusted text', () => {
  describe('success', () => {
    it.each([
      [
        'English envelope',
        envelope(200, 'Session dropped successfully'),
        'Session dropped successfully',
      ],
      [
        'Portuguese envelope (current)',
        envelope(200, 'Sessão encerrada com sucesso'),
        'Session dropped successfully',
      ],
      [
        'Portuguese envelope (older)',
        envelope(200, 'Sessão interrompida com sucesso'),
        'Session dropped successfully',
      ],
      [
        'empty message falls back to the default',
        envelope(200, ''),
        'Session dropped successfully',
      ],
      [
        'short envelope',
        JSON.stringify({
          status: 200,
          message: 'Session dropped successfully',
          mensagem: '',
          error: false,
          erro: false,
        }),
        'Session dropped successfully',
      ],
      [
        'with a top-level tenant',
        JSON.stringify({
          ...JSON.parse(envelope(200, 'Session dropped successfully')),
          tenant: 'Segura',
        }),
        'Session dropped successfully',
      ],
    ])('%s', (_name, body, message) => {
      const c = classifyAnswer(res(200, body), {
        defaultSuccessMessage: 'Session dropped successfully',
      });
      expect(c).toMatchObject({ ok: true, status: 200, message, durationMs: 12 });
    });

    it('accepts a success key when no error flag is given (token, list)', () => {
      const c = classifyAnswer(res(200, '{"access_token":"x","expires_in":60}'), {
        successKeys: ['access_token'],
      });
      expect(c.ok).toBe(true);
    });

    it('does not accept a success key next to error:true', () => {
      const body = JSON.stringify({
        response: { error: true, message: 'Unexpected error.' },
        remote_sessions: [],
      });
      expect(classifyAnswer(res(200, body), { successKeys: ['remote_sessions'] }).ok).toBe(false);
    });
  });

  describe('untrusted text', () => {
    const errorOf = (body: string) => {
      const c = classifyAnswer(res(500, body));
      if (c.ok) throw new Error('expected an error');
      return c;
    };

    it('prefers message over mensagem', () => {
      expect(errorOf(envelope(500, 'Unexpected error.', 'Erro inesperado.'))).toMatchObject({
        error: { upstream: { message: 'Unexpected error.' } },
        unrecognised: undefined,
      });
    });

    it('relays a documented text in its documented spelling', () => {
      expect(errorOf(envelope(500, '  UNEXPECTED   error ')).error.upstream?.message).toBe(
        'Unexpected error.',
      );
    });

    it('a text outside the documented set becomes the generic message, kept for the debug log', () => {
      const c = errorOf(envelope(500, '', 'Erro inesperado.'));
      expect(c.error.upstream?.message).toBe('Segura answered with an unexpected error');
      expect(c.error.detail).toBe('Segura answered with an unexpected error');
      expect(c.unrecognised).toBe('Erro inesperado.');
    });

    it('a documented phrase inside a longer text is not the documented text', () => {
      const c = errorOf(envelope(500, 'Unexpected error. SQLSTATE[42000]: SELECT * FROM users'));
      expect(c.error.upstream?.message).toBe('Segura answered with an unexpected error');
      expect(c.unrecognised).toBe('Unexpected error. SQLSTATE[42000]: SELECT * FROM users');
    });

    it('a success with an unexpected text is a success with the default message', () => {
      const c = classifyAnswer(res(200, envelope(200, 'OK: /var/www/app.php line 3')), {
        defaultSuccessMessage: 'Session dropped successfully',
      });
      expect(c).toMatchObject({
        ok: true,
        message: 'Session dropped successfully',
        unrecognised: 'OK: /var/www/app.php line 3',
      });
    });

    it('never carries the raw body or a token-like string', () => {
      const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJnYXRld2F5In0.c2lnbmF0dXJlc2lnbmF0dXJlc2ln';
      const body = JSON.stringify({ message: `invalid token ${token}`, secret: 'hunter2' });
      const c = classifyAnswer(res(400, body));
      if (c.ok) throw new Error('expected an error');
      const all = JSON.stringify({ ...c, error: { ...c.error, message: c.error.message } });
      expect(all).not.toContain(token);
      expect(all).not.toContain('hunter2');
      expect(c.error.upstream?.message).toBe('Segura answered with an unexpected error');
      expect(c.unrecognised).toBe('invalid token [redacted]');
    });
  });
});

describe('cleanMessage (the debug log of unrecognised texts)', () => {
  it('strips control characters, non-Latin text and cuts at 200 characters', () => {
    const nasty = `Bad\u0000 thing\r\n\u001b[31m happened \u202e${'word '.repeat(60)}`;
    const m = cleanMessage(nasty) ?? '';
    expect(m.length).toBeLessThanOrEqual(200);
    expect(m).toMatch(/^Bad thing \[31m happened (word )+w?o?r?d?\.\.\.$/);
    expect([...m].every((ch) => ch >= ' ' && ch <= '~')).toBe(true);
  });

  it('redacts key=value credentials whatever their length', () => {
    expect(cleanMessage(`login failed password=Hunter2! token: "a b" api_key='k1', ok`)).toBe(
      `login failed password=[redacted] token: [redacted] api_key=[redacted], ok`,
    );
  });

  it('keeps Latin accents and 40-hex session ids', () => {
    expect(cleanMessage('Sessão e7acacb6aedbab70073456da5744166939b77527 não')).toBe(
      'Sessão e7acacb6aedbab70073456da5744166939b77527 não',
    );
  });
});
