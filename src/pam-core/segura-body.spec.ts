import { envelope, res } from '../../test/pam-core/segura-fixtures';
import { classifyAnswer } from './response-classifier';

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
    it('prefers message over mensagem', () => {
      const c = classifyAnswer(res(500, envelope(500, 'Unexpected error.', 'Erro inesperado.')));
      expect(!c.ok && c.error.upstream?.message).toBe('Unexpected error.');
    });

    it('falls back to mensagem when message is empty', () => {
      const c = classifyAnswer(res(500, envelope(500, '', 'Erro inesperado.')));
      expect(!c.ok && c.error.upstream?.message).toBe('Erro inesperado.');
    });

    it('strips control characters, non-Latin text and cuts at 200 characters', () => {
      const nasty = `Bad\u0000 thing\r\n\u001b[31m happened \u202e${'word '.repeat(60)}`;
      const c = classifyAnswer(res(500, envelope(500, nasty)));
      const m = !c.ok ? (c.error.upstream?.message ?? '') : '';
      expect(m.length).toBeLessThanOrEqual(200);
      expect(m).toMatch(/^Bad thing \[31m happened (word )+w?o?r?d?\.\.\.$/);
      expect([...m].every((ch) => ch >= ' ' && ch <= '~')).toBe(true);
    });

    it('never carries the raw body or a token-like string', () => {
      const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJnYXRld2F5In0.c2lnbmF0dXJlc2lnbmF0dXJlc2ln';
      const body = JSON.stringify({ message: `invalid token ${token}`, secret: 'hunter2' });
      const c = classifyAnswer(res(400, body));
      if (c.ok) throw new Error('expected an error');
      const all = JSON.stringify({ ...c.error, message: c.error.message });
      expect(all).not.toContain(token);
      expect(all).not.toContain('hunter2');
      expect(c.error.upstream?.message).toBe('invalid token [redacted]');
    });

    it('keeps Latin accents and 40-hex session ids', () => {
      const c = classifyAnswer(
        res(500, envelope(500, '', 'Sessão e7acacb6aedbab70073456da5744166939b77527 não')),
      );
      expect(!c.ok && c.error.upstream?.message).toBe(
        'Sessão e7acacb6aedbab70073456da5744166939b77527 não',
      );
    });
  });
});
