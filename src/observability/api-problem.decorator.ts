import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
  properties: {
    type: { type: 'string', example: 'urn:pam-gateway:problem:session-not-found' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', example: 'SESSION_NOT_FOUND' },
    requestId: { type: 'string' },
    field: { type: 'string', description: 'input field at fault (BAD_USER_INPUT)' },
  },
};

/** Documents RFC 9457 error answers for the given statuses in the OpenAPI document. */
export function ApiProblemResponses(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: 'RFC 9457 problem details',
        content: { 'application/problem+json': { schema: PROBLEM_SCHEMA } },
      }),
    ),
  );
}
