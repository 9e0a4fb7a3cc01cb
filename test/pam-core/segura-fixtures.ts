/** Answers shaped like Segura's, for the classifier specs (pure data, no I/O). */
import type { ErrorCode } from '../../src/errors';
import type { UpstreamAnswer } from '../../src/pam-core/upstream-answer';

export const JSON_TYPE = 'application/json';

/** Segura's envelope as documented: `response` duplicates every field in Portuguese. */
export function envelope(
  status: number,
  message: string,
  mensagem = message,
  exception?: { code: number; message: string },
) {
  const error = status >= 400;
  return JSON.stringify({
    code: status,
    response: {
      status,
      message,
      error,
      error_code: error ? status : 0,
      detail: '',
      mensagem,
      erro: error,
      cod_erro: error ? status : 0,
    },
    ...(exception ? { exception: { ...exception, detail: null } } : {}),
  });
}

export function res(
  status: number,
  bodyText: string,
  contentType: string | undefined = JSON_TYPE,
  complete = true,
): UpstreamAnswer {
  return { kind: 'response', status, contentType, bodyText, complete, durationMs: 12 };
}

export interface Row {
  name: string;
  answer: UpstreamAnswer;
  code: ErrorCode;
  outcomeUnknown?: boolean;
  message?: string;
}
