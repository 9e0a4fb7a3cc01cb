import { ArgsType } from '@nestjs/graphql';
import { bodyNotObject, NestedField } from '../../common/validation/fields';
import type { TerminateInput } from '../sessions.types';
import { TerminateSessionBody } from './terminate-session.body';
import { IdempotencyKeyField, ReasonField, SessionIdField } from './session-fields';

/** GraphQL arguments of terminateSession. */
@ArgsType()
export class TerminateSessionArgs {
  @SessionIdField()
  id!: string;

  @ReasonField()
  reason?: string;

  @IdempotencyKeyField()
  idempotencyKey?: string;

  toInput(): TerminateInput {
    return { id: this.id, reason: this.reason, idempotencyKey: this.idempotencyKey };
  }
}

/** REST POST /api/v1/sessions/{id}/terminate: path id, JSON body, Idempotency-Key header. */
export class TerminateSessionRequest {
  @SessionIdField()
  id!: string;

  @NestedField(() => TerminateSessionBody, { notObject: bodyNotObject })
  body!: TerminateSessionBody;

  @IdempotencyKeyField()
  idempotencyKey?: string;

  toInput(): TerminateInput {
    return { id: this.id, reason: this.body.reason, idempotencyKey: this.idempotencyKey };
  }
}
