import { RefuseUnknown } from '../../common/validation/validate-input';
import { unknownBodyField } from './body-fields';
import { ReasonField } from './session-fields';

/** REST body of POST /api/v1/sessions/{id}/terminate. */
@RefuseUnknown(unknownBodyField)
export class TerminateSessionBody {
  @ReasonField('Why the session is ended; trimmed; may be required by policy')
  reason?: string;
}
