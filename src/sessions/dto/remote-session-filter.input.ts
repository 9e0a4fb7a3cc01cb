import { InputType } from '@nestjs/graphql';
import { FlagField, Rule } from '../../common/validation/fields';
import { bad, invalid } from '../../common/validation/input-error';
import { RefuseUnknown } from '../../common/validation/validate-input';
import { FILTER_FIELDS, type SessionFilter } from '../session-query';
import { GlobFilterField, NaiveTimeField } from './session-fields';

const PATTERN = 'Glob pattern (* and ?), case-insensitive';
const TIME = "Segura's wall-clock time, no zone: YYYY-MM-DD[THH:MM[:SS]]";

/** Listing and bulk criteria, validated for both channels alike. */
@InputType('RemoteSessionFilter', { description: 'All given conditions must hold' })
@RefuseUnknown((name) => bad(name.slice(0, 40), 'is not a known filter field'))
export class RemoteSessionFilter {
  @FlagField()
  active?: boolean;

  @GlobFilterField(PATTERN, 'admin-x')
  user?: string;

  @GlobFilterField(`${PATTERN}; host:port or host`, 'dc*.corp.local')
  device?: string;

  @GlobFilterField(PATTERN, 'rdp')
  protocol?: string;

  @GlobFilterField(PATTERN, '10.0.0.*')
  originIp?: string;

  @GlobFilterField(PATTERN)
  credential?: string;

  @NaiveTimeField(`${TIME}; inclusive`, '2024-05-06T16:00')
  startedAfter?: string;

  @NaiveTimeField(`${TIME}; exclusive`)
  startedBefore?: string;

  /** The criteria given, as the filter predicate takes them. */
  criteria(): SessionFilter {
    const out: Record<string, unknown> = {};
    for (const k of FILTER_FIELDS) if (this[k] !== undefined) out[k] = this[k];
    return out;
  }
}

/** Bulk criteria: the same, and `all` to allow a filter with no criterion (every active session). */
@InputType('BulkTerminationFilter', {
  description: 'Active sessions matching all given conditions; at least one, or all: true',
})
export class BulkTerminationFilter extends RemoteSessionFilter {
  // Bulk acts on active sessions only, so active: false is refused as a mistake.
  @FlagField()
  @Rule(
    'activeOnly',
    (v) => v !== false,
    invalid('bulk termination acts on active sessions only; omit active or set it true').context
      .fail,
  )
  override active?: boolean = undefined;

  @FlagField({ description: 'Required to act with no criterion' })
  all?: boolean;
}

/** The criteria must name at least one field besides `active`, or say all: true. */
export function hasCriteria(filter: unknown): boolean {
  const f = filter as BulkTerminationFilter;
  return f.all === true || FILTER_FIELDS.some((k) => k !== 'active' && f[k] !== undefined);
}

export const NO_CRITERIA = invalid(
  'name at least one of user, device, protocol, originIp, credential, startedAfter, startedBefore, or set all: true to act on every active session',
).context.fail;
