import { useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { errorMessage } from '../api/client';
import { Button } from './Button';
import { inputClass } from './Field';
import { useToast } from './toast';

/**
 * "Dismiss…" for a review finding (a checkpoint's or a design review's): opens a reason field; the reason is required
 * and kept with the finding, so nothing is sent without one. On success it says `done` and refetches `refresh`.
 */
export function DismissWithReason({
  dismiss,
  done,
  refresh,
  rows,
  buttonLabel,
}: {
  /** Sends the trimmed reason. */
  dismiss: (reason: string) => Promise<unknown>;
  done: string;
  refresh: QueryKey;
  rows: number;
  /** The "Dismiss…" button's accessible name, when the finding's title should be in it. */
  buttonLabel?: string;
}) {
  const qc = useQueryClient();
  const toast = useToast();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const mutation = useMutation({
    mutationFn: () => dismiss(reason.trim()),
    onSuccess: async () => {
      toast(done, 'success');
      setOpen(false);
      await qc.invalidateQueries({ queryKey: refresh });
    },
  });
  if (!open)
    return (
      <Button onClick={() => setOpen(true)} className="self-start" aria-label={buttonLabel}>
        Dismiss…
      </Button>
    );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim() === '') {
      setMissing(true);
      return;
    }
    mutation.mutate();
  };
  const error = missing ? 'Say why this is not a problem: the reason is kept with the finding.' : null;
  return (
    <form onSubmit={submit} className="flex flex-col gap-2 rounded-xl border border-line bg-sunken p-3" noValidate>
      <label htmlFor={id} className="text-sm font-medium">
        Why is this not a problem?
      </label>
      <textarea
        id={id}
        rows={rows}
        required
        maxLength={1000}
        value={reason}
        onChange={(e) => {
          setReason(e.target.value);
          setMissing(false);
        }}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-err` : undefined}
        className={inputClass}
        autoFocus
      />
      {error ? (
        <p id={`${id}-err`} role="alert" className="text-xs font-medium text-st-failed">
          {error}
        </p>
      ) : null}
      {mutation.error ? (
        <p role="alert" className="text-xs font-medium text-st-failed">
          {errorMessage(mutation.error)}
        </p>
      ) : null}
      <div className="flex justify-end gap-2">
        <Button onClick={() => setOpen(false)}>Cancel</Button>
        <Button type="submit" variant="danger" disabled={mutation.isPending}>
          {mutation.isPending ? 'Dismissing…' : 'Dismiss finding'}
        </Button>
      </div>
    </form>
  );
}
