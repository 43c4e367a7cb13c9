import { useState, type ReactNode } from 'react';
import { z } from 'zod';
import {
  describeChange,
  wideningChanges,
  WideningChangeSchema,
  type WideningChange,
  type WideningRequest,
  type WideningState,
} from '@shared/settings-widening';
import { ApiError } from '../../shared/api/client';
import { Button } from '../../shared/ui/Button';
import { Dialog } from '../../shared/ui/Dialog';

const WideningListSchema = z.array(WideningChangeSchema).min(1);

/**
 * The changes a 409 CONFIRMATION_REQUIRED names (the server saw a widening the page did not, e.g. after a change
 * elsewhere).
 */
export function wideningOf(err: unknown): WideningChange[] | null {
  if (!(err instanceof ApiError) || err.code !== 'CONFIRMATION_REQUIRED') return null;
  const parsed = WideningListSchema.safeParse(err.details?.['widening']);
  return parsed.success ? parsed.data : null;
}

/** Names each change that widens what agents may do and why it matters; nothing is sent until the user says so. */
export function ConfirmWideningDialog({
  changes,
  onConfirm,
  onCancel,
}: {
  changes: readonly WideningChange[];
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const many = changes.length > 1;
  return (
    <Dialog
      open
      onClose={onCancel}
      title="Let agents do more?"
      footer={
        <>
          <Button onClick={onCancel}>Cancel</Button>
          <Button variant="danger" onClick={onConfirm}>
            {many ? 'Apply these changes' : 'Apply this change'}
          </Button>
        </>
      }
    >
      <p className="mb-3 text-sm">
        {many ? 'These changes widen' : 'This change widens'} what the agents may do. Apply only what you meant to
        change yourself:
      </p>
      <ul className="flex flex-col gap-3" aria-label="Changes to confirm">
        {changes.map((c) => (
          <li key={c.key} className="rounded-lg border border-line bg-sunken px-3 py-2">
            <p className="font-mono text-sm font-medium">{describeChange(c)}</p>
            <p className="text-sm text-muted">{c.why}.</p>
          </li>
        ))}
      </ul>
      <p className="mt-3 text-xs text-muted">
        Each change is recorded with where it came from (this page, the API or the CLI).
      </p>
    </Dialog>
  );
}

/**
 * A settings form's gate: `submit(current, body)` sends at once when nothing widens, else
 * opens the dialog and sends with `confirm` only after the user agrees. A body the shared
 * schema refuses is sent as it is, so the server names the bad field instead of a dialog
 * asking to confirm a value that cannot be saved. `onError` opens the dialog when the server
 * asks for a confirmation the page did not foresee.
 */
export function useWideningConfirmation<B extends WideningRequest>(
  schema: z.ZodType<B, unknown>,
  send: (confirm: boolean) => void,
): { submit: (current: WideningState, body: unknown) => void; onError: (err: unknown) => void; dialog: ReactNode } {
  const [asking, setAsking] = useState<readonly WideningChange[] | null>(null);
  return {
    submit: (current, body) => {
      const parsed = schema.safeParse(body);
      const changes = parsed.success ? wideningChanges(current, parsed.data) : [];
      if (changes.length > 0) setAsking(changes);
      else send(false);
    },
    onError: (err) => {
      const changes = wideningOf(err);
      if (changes) setAsking(changes);
    },
    dialog: asking ? (
      <ConfirmWideningDialog
        changes={asking}
        onCancel={() => setAsking(null)}
        onConfirm={() => {
          setAsking(null);
          send(true);
        }}
      />
    ) : null,
  };
}
