import { ArgsType } from '@nestjs/graphql';
import { CursorField, NestedField, PageSizeField } from '../../common/validation/fields';
import { bad, invalid } from '../../common/validation/input-error';
import { QueryParams, RefuseUnknown } from '../../common/validation/validate-input';
import { DEFAULT_PAGE_SIZE, isSessionCursor, MAX_PAGE_SIZE } from '../session-query';
import type { ListInput, SessionIdInput } from '../sessions.types';
import { RemoteSessionFilter } from './remote-session-filter.input';
import { SessionIdField } from './session-fields';

const CURSOR = { valid: isSessionCursor, detail: 'must be a nextCursor of an earlier page' };

/** GraphQL arguments of remoteSessions. */
@ArgsType()
export class RemoteSessionsArgs {
  @NestedField(() => RemoteSessionFilter, { notObject: invalid('must be an object').context.fail })
  filter!: RemoteSessionFilter;

  @PageSizeField({ max: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  first!: number;

  @CursorField(CURSOR)
  after?: string;

  toInput(): ListInput {
    return { filter: this.filter.criteria(), first: this.first, after: this.after ?? null };
  }
}

/** REST query of GET /api/v1/sessions: the filter's fields, limit and cursor, each once. */
@QueryParams()
@RefuseUnknown((name) => bad(name.slice(0, 40), 'is not a known query parameter'))
export class ListSessionsQuery extends RemoteSessionFilter {
  @PageSizeField({
    max: MAX_PAGE_SIZE,
    default: DEFAULT_PAGE_SIZE,
    description: `1 to ${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE}`,
  })
  limit!: number;

  @CursorField(CURSOR)
  cursor?: string;

  toInput(): ListInput {
    return { filter: this.criteria(), first: this.limit, after: this.cursor ?? null };
  }
}

/** One session: GraphQL remoteSession(id) and REST GET /api/v1/sessions/{id}. */
@ArgsType()
export class RemoteSessionArgs {
  @SessionIdField()
  id!: string;

  toInput(): SessionIdInput {
    return { id: this.id };
  }
}
