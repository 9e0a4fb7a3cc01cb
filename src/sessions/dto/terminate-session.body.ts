import { ApiPropertyOptional } from '@nestjs/swagger';

/** REST body of POST /api/v1/sessions/{id}/terminate (documentation; validated in terminate-input.ts). */
export class TerminateSessionBody {
  @ApiPropertyOptional({
    maxLength: 500,
    description: 'Why the session is ended; trimmed; may be required by policy',
  })
  reason?: string;
}
