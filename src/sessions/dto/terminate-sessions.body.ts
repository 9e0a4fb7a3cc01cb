import { ApiPropertyOptional } from '@nestjs/swagger';
import { BulkTerminationFilter } from './remote-session-filter.input';

/** REST body of POST /api/v1/sessions/terminate (documentation; validated in bulk-input.ts). */
export class TerminateSessionsBody {
  @ApiPropertyOptional({ type: BulkTerminationFilter })
  filter?: BulkTerminationFilter;

  @ApiPropertyOptional({ maxLength: 500 })
  reason?: string;

  @ApiPropertyOptional({ default: false, description: 'List what would be ended; end nothing' })
  dryRun?: boolean;
}
