import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { envKeyOf, type HumanInputField, type HumanInputRequestDTO } from '@shared/human-input';
import { ApiError } from '../../shared/api/client';
import { endpoints, keys } from '../../shared/api/endpoints';
import { Button } from '../../shared/ui/Button';
import { Dialog } from '../../shared/ui/Dialog';
import { inputClass } from '../../shared/ui/Field';
import { useToast } from '../../shared/ui/toast';
import {
  checkAnswers,
  initialValues,
  MAX_RADIO_OPTIONS,
  prefilledValues,
  serverFieldErrors,
  type FieldErrors,
  type FormValue,
  type FormValues,
} from './inbox-form';

interface ControlProps {
  readonly field: HumanInputField;
  readonly id: string;
  readonly value: FormValue;
  readonly error: string | undefined;
  /** The line under the control (the field's help; for a secret, where it is saved). */
  readonly help: string | undefined;
  readonly onChange: (value: FormValue) => void;
}

function RequiredMark({ required }: { required: boolean }) {
  return required ? (
    <span className="ml-0.5 text-st-failed" aria-hidden="true">
      *
    </span>
  ) : (
    <span className="ml-1 text-xs font-normal text-muted">(optional)</span>
  );
}

/** Help and error lines under a control, with the ids its aria-describedby points at. */
function Notes({ id, help, error }: { id: string; help: string | undefined; error: string | undefined }) {
  return (
    <>
      {help ? (
        <p id={`${id}-help`} className="text-xs text-muted">
          {help}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-err`} className="text-xs font-medium text-st-failed">
          {error}
        </p>
      ) : null}
    </>
  );
}

const describedBy = (id: string, help: string | undefined, error: string | undefined) =>
  [help ? `${id}-help` : null, error ? `${id}-err` : null].filter(Boolean).join(' ') || undefined;

/** A field's help line; a secret's says where it goes (and, overriding, that it replaces the placeholder). */
function helpOf(field: HumanInputField, placeholderKeys: readonly string[] | null): string | undefined {
  if (field.type !== 'secret') return field.help;
  const key = envKeyOf(field);
  const where = placeholderKeys?.includes(key)
    ? `Replaces the development placeholder in the project's .env as ${key}`
    : `Saved to the project's .env as ${key}`;
  return `${field.help ? `${field.help} · ` : ''}${where}; never shown again.`;
}

/** One field of the request as the right control: input, textarea, password, radios/select, checkbox, number. */
function FieldControl({ field, id, value, error, help, onChange }: ControlProps) {
  const aria = { 'aria-describedby': describedBy(id, help, error), 'aria-invalid': error ? true : undefined } as const;
  const text = typeof value === 'string' ? value : '';
  if (field.type === 'boolean') {
    return (
      <div className="flex flex-col gap-1" data-field={field.id}>
        <div className="flex items-center gap-2">
          <input
            id={id}
            type="checkbox"
            className="size-4 accent-accent"
            checked={value === true}
            onChange={(e) => onChange(e.target.checked)}
            {...aria}
          />
          <label htmlFor={id} className="text-sm font-medium">
            {field.label}
          </label>
        </div>
        <Notes id={id} help={help} error={error} />
      </div>
    );
  }
  if (field.type === 'select' && (field.options ?? []).length <= MAX_RADIO_OPTIONS) {
    return (
      <fieldset
        className="flex flex-col gap-1"
        data-field={field.id}
        role="radiogroup"
        aria-required={field.required}
        {...aria}
      >
        <legend className="text-sm font-medium">
          {field.label}
          <RequiredMark required={field.required} />
        </legend>
        <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
          {(field.options ?? []).map((o, i) => (
            <label key={o} className="flex items-center gap-1.5 text-sm">
              <input
                type="radio"
                className="accent-accent"
                name={id}
                id={i === 0 ? id : undefined}
                value={o}
                checked={text === o}
                onChange={() => onChange(o)}
              />
              {o}
            </label>
          ))}
        </div>
        <Notes id={id} help={help} error={error} />
      </fieldset>
    );
  }
  const common = { id, className: inputClass, 'aria-required': field.required, ...aria };
  return (
    <div className="flex flex-col gap-1" data-field={field.id}>
      <label htmlFor={id} className="text-sm font-medium">
        {field.label}
        <RequiredMark required={field.required} />
      </label>
      {field.type === 'textarea' ? (
        <textarea
          {...common}
          rows={4}
          placeholder={field.placeholder}
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      ) : field.type === 'select' ? (
        <select {...common} value={text} onChange={(e) => onChange(e.target.value)}>
          <option value="">{field.placeholder ?? 'Choose…'}</option>
          {(field.options ?? []).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : field.type === 'secret' ? (
        <input
          {...common}
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder={field.placeholder}
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      ) : field.type === 'number' ? (
        <input
          {...common}
          type="number"
          step="any"
          inputMode="decimal"
          placeholder={field.placeholder}
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      ) : (
        <input
          {...common}
          type="text"
          autoComplete="off"
          placeholder={field.placeholder}
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      <Notes id={id} help={help} error={error} />
    </div>
  );
}

/**
 * The answer form of one open request, generated from its fields and checked in the browser
 * with the shared validator before it is sent. Secret values live only in this component's
 * state (never in the query cache or mutation variables) and are cleared once sent.
 *
 * With `override`, the same form replaces a supervisor's answer (`POST …/override`): it starts
 * from the supervisor's non-secret values, secrets empty (the real value replaces the
 * development placeholder), and it has no "Cancel request" — only a way to close it.
 */
export function HumanInputForm({
  project,
  request,
  override,
}: {
  project: string;
  request: HumanInputRequestDTO;
  override?: { readonly onClose: () => void };
}) {
  const qc = useQueryClient();
  const toast = useToast();
  const base = useId();
  const overriding = override !== undefined;
  const [values, setValues] = useState<FormValues>(() =>
    overriding ? prefilledValues(request.fields, request.answer) : initialValues(request.fields),
  );
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [reason, setReason] = useState('');
  const fieldId = (f: HumanInputField) => `${base}-${f.id}`;

  const focusFirstError = (errs: FieldErrors) => {
    const first = request.fields.find((f) => errs[f.id]);
    if (first) document.getElementById(fieldId(first))?.focus();
  };

  // The override form opens on demand: put the focus in its first field.
  useEffect(() => {
    const first = request.fields[0];
    if (overriding && first) document.getElementById(`${base}-${first.id}`)?.focus();
  }, [overriding, base, request.fields]);

  const refresh = () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: keys.humanInputAll(project) }),
      qc.invalidateQueries({ queryKey: keys.board(project) }),
    ]);

  const answer = useMutation({
    // No mutation variables: the answers (secrets included) never enter TanStack's caches.
    mutationFn: async () => {
      const checked = checkAnswers(request.fields, values);
      if (!checked.ok) {
        setErrors(checked.errors);
        setFailure(null);
        focusFirstError(checked.errors);
        return null;
      }
      setErrors({});
      setFailure(null);
      return overriding
        ? endpoints.overrideHumanInput(project, request.id, { answers: checked.answers })
        : endpoints.answerHumanInput(project, request.featureId, { requestId: request.id, answers: checked.answers });
    },
    onSuccess: async (result) => {
      if (!result) return;
      setValues(initialValues(request.fields));
      const now = result.feature.status === 'pending' ? 'back in Pending, first in line' : result.feature.status;
      toast(
        overriding
          ? `Overridden: #${result.feature.id} ${result.feature.name} is ${now}, to be redone with your answer`
          : `Answered: #${result.feature.id} ${result.feature.name} is ${now}`,
        'success',
      );
      override?.onClose();
      await refresh();
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status === 400) {
        const byField = serverFieldErrors(err.details, request.fields);
        setErrors(byField);
        focusFirstError(byField);
      }
      if (err instanceof ApiError && (err.status === 404 || err.status === 409)) {
        // The request was closed elsewhere and leaves the list with this form: say so where it stays visible.
        toast(`Not sent for #${request.featureId}: ${err.message}`, 'error');
        void refresh();
      }
      setFailure(
        err instanceof ApiError && err.status > 0
          ? `The server refused the ${overriding ? 'override' : 'answer'} (${err.status}): ${err.message}`
          : err.message,
      );
    },
  });

  const cancel = useMutation({
    mutationFn: () => endpoints.cancelHumanInput(project, request.id, reason.trim() || undefined),
    onSuccess: async (result) => {
      setCancelling(false);
      toast(`Request cancelled: #${result.feature.id} ${result.feature.name} is back in Pending`, 'success');
      await refresh();
    },
    onError: (err) => {
      setCancelling(false);
      if (err instanceof ApiError && (err.status === 404 || err.status === 409)) {
        toast(`Not cancelled for #${request.featureId}: ${err.message}`, 'error');
        void refresh();
      }
      setFailure(
        err instanceof ApiError && err.status > 0
          ? `The server refused to cancel (${err.status}): ${err.message}`
          : err.message,
      );
    },
  });

  const anyRequired = request.fields.some((f) => f.required);
  return (
    <>
      <form
        noValidate
        aria-label={
          overriding
            ? `Override the supervisor's answer for feature #${request.featureId}`
            : `Answer for feature #${request.featureId}`
        }
        className="flex flex-col gap-4"
        onSubmit={(e) => {
          e.preventDefault();
          answer.mutate();
        }}
      >
        {anyRequired ? (
          <p className="text-xs text-muted">
            Fields marked <span className="text-st-failed">*</span> are required.
          </p>
        ) : null}
        {request.fields.map((f) => (
          <FieldControl
            key={f.id}
            field={f}
            id={fieldId(f)}
            value={values[f.id] ?? ''}
            error={errors[f.id]}
            help={helpOf(f, overriding ? request.placeholderKeys : null)}
            onChange={(v) => setValues((prev) => ({ ...prev, [f.id]: v }))}
          />
        ))}
        {failure ? (
          <p
            role="alert"
            className="rounded-lg border border-st-failed bg-st-failed-bg px-3 py-2 text-sm text-st-failed"
          >
            {failure}
          </p>
        ) : Object.keys(errors).length > 0 ? (
          <p role="alert" className="text-sm font-medium text-st-failed">
            {Object.keys(errors).length === 1
              ? 'One field needs attention.'
              : `${Object.keys(errors).length} fields need attention.`}{' '}
            Nothing was sent.
          </p>
        ) : null}
        <div className="flex flex-wrap gap-2">
          <Button variant="primary" type="submit" disabled={answer.isPending || cancel.isPending}>
            {answer.isPending ? 'Sending…' : overriding ? 'Send override' : 'Send answer'}
          </Button>
          {override ? (
            <Button onClick={override.onClose} disabled={answer.isPending}>
              Keep the supervisor’s answer
            </Button>
          ) : (
            <Button onClick={() => setCancelling(true)} disabled={answer.isPending || cancel.isPending}>
              Cancel request…
            </Button>
          )}
        </div>
      </form>
      <Dialog
        open={cancelling}
        onClose={() => setCancelling(false)}
        title={`Cancel the request of feature #${request.featureId}?`}
        footer={
          <>
            <Button onClick={() => setCancelling(false)}>Keep it</Button>
            <Button variant="danger" disabled={cancel.isPending} onClick={() => cancel.mutate()}>
              Cancel request
            </Button>
          </>
        }
      >
        <p className="mb-3 text-sm text-muted">
          The feature goes back to Pending; its next session is told to decide without the answer (or skip the feature).
        </p>
        <label htmlFor={`${base}-reason`} className="text-sm font-medium">
          Reason <span className="text-xs font-normal text-muted">(optional, shown to the agent)</span>
        </label>
        <textarea
          id={`${base}-reason`}
          rows={3}
          className={`${inputClass} mt-1`}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </Dialog>
    </>
  );
}
