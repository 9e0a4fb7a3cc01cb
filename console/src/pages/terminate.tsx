import { useRef, useState } from 'react';
import type { Api } from '../api';
import type { Me } from '../app';
import { type ApiError, toApiError } from '../errors';
import type { TerminateMutation as Result } from '../gql/graphql';
import { TerminateMutation } from '../operations';
import { randomKey } from '../settings';
import { ErrorBox, Field } from './widgets';

type Outcome = Result['terminateSession'];

/** The outcome of one termination in plain words. */
export function outcomeWords(o: {
  terminated: boolean;
  alreadyEnded: boolean;
  verified: boolean;
}): string {
  if (o.alreadyEnded) return 'Already ended: the session had ended before this request.';
  if (o.terminated && o.verified) return 'Terminated, and verified: Segura lists it as ended.';
  if (o.terminated) return 'Terminated: Segura accepted the request.';
  return 'Not terminated.';
}

/**
 * Reason, then a confirmation step, then the outcome. One idempotency key per confirmation, so
 * a double click or a retry of the same confirmation never ends anything twice.
 */
export function TerminateOne({
  api,
  me,
  sessionId,
  onDone,
}: {
  api: Api;
  me: Me;
  sessionId: string;
  onDone?: () => void;
}) {
  const [reason, setReason] = useState('');
  const [step, setStep] = useState<'form' | 'confirm' | 'running' | 'done'>('form');
  const [key, setKey] = useState('');
  const [error, setError] = useState<ApiError>();
  const [outcome, setOutcome] = useState<Outcome>();
  const running = useRef(false);

  const missingReason = me.requireReason && reason.trim() === '';

  const run = async () => {
    if (running.current) return;
    running.current = true;
    setStep('running');
    setError(undefined);
    try {
      const r = await api.call(TerminateMutation, {
        id: sessionId,
        reason: reason.trim() || null,
        idempotencyKey: key,
      });
      setOutcome(r.terminateSession);
      setStep('done');
      onDone?.();
    } catch (err) {
      setError(toApiError(err));
      setStep('confirm');
    } finally {
      running.current = false;
    }
  };

  if (step === 'done' && outcome) {
    return (
      <section className="panel" aria-live="polite" data-testid="terminate-outcome">
        <h3>{outcomeWords(outcome)}</h3>
        {outcome.message && <p>Segura said: {outcome.message}</p>}
        <p className="detail">
          Audit record {outcome.auditEventId} · request {outcome.requestId}
          {outcome.replayed && ' · the stored answer to this confirmation (nothing was repeated)'}
        </p>
      </section>
    );
  }
  return (
    <section className="panel" aria-label="Terminate this session">
      <h3>Terminate this session</h3>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (step === 'form' && !missingReason) {
            setKey(randomKey('console'));
            setStep('confirm');
          }
        }}
      >
        <Field
          label={me.requireReason ? 'Reason (required)' : 'Reason (optional)'}
          hint="Recorded in the audit log, e.g. the incident number."
        >
          <textarea
            name="reason"
            value={reason}
            maxLength={500}
            rows={2}
            required={me.requireReason}
            disabled={step !== 'form'}
            onChange={(e) => setReason(e.target.value)}
          />
        </Field>
        {step === 'form' && (
          <button type="submit" className="danger" disabled={missingReason}>
            Terminate…
          </button>
        )}
      </form>
      {step !== 'form' && (
        <div className="confirm" role="group" aria-label="Confirm termination">
          <p>
            End session <code>{sessionId}</code> now? The user is disconnected at once.
          </p>
          <button
            className="danger"
            autoFocus
            disabled={step === 'running'}
            onClick={() => void run()}
          >
            {step === 'running' ? 'Terminating…' : 'Yes, terminate'}
          </button>{' '}
          <button disabled={step === 'running'} onClick={() => setStep('form')}>
            Cancel
          </button>
        </div>
      )}
      {error && <ErrorBox error={error} />}
    </section>
  );
}
