import { ArgsType } from '@nestjs/graphql';
import { bodyNotObject, FlagField, NestedField, Rule } from '../../common/validation/fields';
import { invalid } from '../../common/validation/input-error';
import { RefuseUnknown } from '../../common/validation/validate-input';
import type { BulkInput } from '../sessions.types';
import { unknownBodyField } from './body-fields';
import { BulkTerminationFilter, hasCriteria, NO_CRITERIA } from './remote-session-filter.input';
import { IdempotencyKeyField, ReasonField } from './session-fields';

/**
 * REST body of POST /api/v1/sessions/terminate. The filter must name at least one criterion
 * besides `active`, or say `all: true`: an empty filter never ends every session by accident.
 */
@ArgsType()
@RefuseUnknown(unknownBodyField)
export class TerminateSessionsBody {
  @Rule('criteria', hasCriteria, NO_CRITERIA, { late: true })
  @NestedField(() => BulkTerminationFilter, {
    notObject: invalid('must be an object').context.fail,
  })
  filter!: BulkTerminationFilter;

  @ReasonField()
  reason?: string;

  @FlagField({ description: 'List what would be ended; end nothing', default: false })
  dryRun!: boolean;

  toInput(idempotencyKey?: string): BulkInput {
    const { filter } = this;
    return {
      filter: filter.criteria(),
      all: filter.all === true,
      reason: this.reason,
      dryRun: this.dryRun,
      idempotencyKey,
    };
  }
}

/** GraphQL arguments of terminateSessions: the body's fields and the idempotency key. */
@ArgsType()
export class TerminateSessionsArgs extends TerminateSessionsBody {
  @IdempotencyKeyField()
  idempotencyKey?: string;

  override toInput(): BulkInput {
    return super.toInput(this.idempotencyKey);
  }
}

/** REST POST /api/v1/sessions/terminate: JSON body and Idempotency-Key header. */
export class TerminateSessionsRequest {
  @NestedField(() => TerminateSessionsBody, { notObject: bodyNotObject })
  body!: TerminateSessionsBody;

  @IdempotencyKeyField()
  idempotencyKey?: string;

  toInput(): BulkInput {
    return this.body.toInput(this.idempotencyKey);
  }
}
