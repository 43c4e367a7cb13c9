import { useMutation, useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import type { ProjectSetup, ProjectSettings } from '@shared/api';
import { DEMO_MODEL, DEMO_MODEL_LABEL, type RunStartRequest } from '@shared/runs';
import { ApiError } from '../../shared/api/client';
import { endpoints, keys } from '../../shared/api/endpoints';
import { Button } from '../../shared/ui/Button';
import { Dialog } from '../../shared/ui/Dialog';
import { Field, inputClass } from '../../shared/ui/Field';
import { useProject } from '../../shared/project-context';
import { NumberOptions } from '../../shared/ui/SpecProblems';

/**
 * What stands between this run and a model, when something does: the provider's credentials are missing (and the
 * chosen model is not the demo model). Says what is missing, where to add it, and offers the demo model instead.
 */
function MissingCredentials({
  setup,
  onRunDemo,
  pending,
}: {
  setup: ProjectSetup;
  onRunDemo: () => void;
  pending: boolean;
}) {
  const headingId = useId();
  const detail = setup.credentials.detail;
  return (
    <section
      aria-labelledby={headingId}
      data-testid="missing-credentials"
      className="flex flex-col gap-2 rounded-lg border border-st-input bg-st-input-bg p-3 text-sm"
    >
      <h3 id={headingId} className="font-semibold text-st-input">
        No model credentials: this run could not reach a model
      </h3>
      <p>
        {detail.charAt(0).toUpperCase() + detail.slice(1)}, so every agent session would fail at once. Add an API key or
        choose a model provider in{' '}
        <Link to="/settings#provider" className="font-medium text-accent underline">
          Settings › Model provider
        </Link>{' '}
        (for all projects), then start again.
      </p>
      <div className="flex flex-wrap items-center gap-3">
        <Button variant="primary" onClick={onRunDemo} disabled={pending}>
          Run with the demo model
        </Button>
        <span className="text-xs text-muted">
          {DEMO_MODEL_LABEL}: real Claude Code sessions, files and commits, no credentials and nothing leaves this
          machine.
        </span>
      </div>
    </section>
  );
}

/**
 * Settings for one run; empty fields fall back to the project's and then the global settings. Before starting it asks
 * the server whether the run would reach a model: without credentials (and not the demo model) Start is off and the
 * dialog says what is missing instead of starting a run that can only fail.
 */
export function StartRunDialog({
  onClose,
  onStarted,
  defaults,
}: {
  onClose: () => void;
  onStarted: () => void;
  defaults: ProjectSettings | null;
}) {
  const { name } = useProject();
  const [model, setModel] = useState(defaults?.defaultModel ?? '');
  const [concurrency, setConcurrency] = useState(defaults?.defaultConcurrency ?? 1);
  const [yolo, setYolo] = useState(defaults?.yolo ?? false);
  const [testingRatio, setTestingRatio] = useState(0);
  const [maxIterations, setMaxIterations] = useState('');
  const [supervisor, setSupervisor] = useState(false);
  const supervisorId = useId();
  const [verifier, setVerifier] = useState(false);
  const verifierId = useId();
  const [regressionEvery, setRegressionEvery] = useState('');
  const [designReviewEvery, setDesignReviewEvery] = useState('');
  const [maxCost, setMaxCost] = useState('');
  const [maxFeatureCost, setMaxFeatureCost] = useState('');
  const setup = useQuery({ queryKey: keys.projectSetup(name), queryFn: () => endpoints.projectSetup(name) });
  const chosenModel = model.trim() || setup.data?.model || null;
  // A failed check does not block (the run's own errors say what is wrong); a known lack of credentials does.
  const missingCredentials =
    setup.data !== undefined && chosenModel !== DEMO_MODEL && !setup.data.credentials.ok ? setup.data : null;
  const start = useMutation({
    /** `demo`: the demo model (scripted, no AI) without browser verification, as "Try the demo" runs it. */
    mutationFn: (demo: boolean) => {
      if (demo) return endpoints.startRun(name, { model: DEMO_MODEL, yolo: true, concurrency });
      const body: RunStartRequest = { concurrency, yolo, ...(yolo ? {} : { testingRatio }) };
      if (model.trim()) body.model = model.trim();
      if (maxIterations.trim()) body.maxIterations = Number(maxIterations);
      if (supervisor) body.supervisor = true;
      if (verifier) body.verifier = true;
      if (regressionEvery.trim()) body.regressionEvery = Number(regressionEvery);
      if (designReviewEvery.trim()) body.designReviewEvery = Number(designReviewEvery);
      // Sent as typed: the server's schema says what is wrong with "0" or "abc" under the field.
      if (maxCost.trim()) body.maxCostUsd = Number(maxCost.trim().replace(/^\$/, ''));
      if (maxFeatureCost.trim()) body.maxFeatureCostUsd = Number(maxFeatureCost.trim().replace(/^\$/, ''));
      return endpoints.startRun(name, body);
    },
    onSuccess: () => {
      onStarted();
      onClose();
    },
  });
  const err = start.error;
  const fieldErr = (f: string) => (err instanceof ApiError && err.field === f ? err.message : null);
  const general =
    err &&
    !(
      err instanceof ApiError &&
      [
        'model',
        'concurrency',
        'testingRatio',
        'maxIterations',
        'yolo',
        'supervisor',
        'verifier',
        'regressionEvery',
        'designReviewEvery',
        'maxCostUsd',
        'maxFeatureCostUsd',
      ].includes(err.field ?? '')
    )
      ? err.message
      : null;
  return (
    <Dialog
      open
      onClose={onClose}
      title="Start agents"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button
            variant="primary"
            type="submit"
            form="start-run"
            disabled={start.isPending || setup.isPending || missingCredentials !== null}
          >
            {start.isPending ? 'Starting…' : 'Start'}
          </Button>
        </>
      }
    >
      <form
        id="start-run"
        className="flex flex-col gap-4"
        onSubmit={(e) => {
          e.preventDefault();
          if (missingCredentials === null && !setup.isPending) start.mutate(false);
        }}
      >
        {missingCredentials ? (
          <MissingCredentials
            setup={missingCredentials}
            onRunDemo={() => start.mutate(true)}
            pending={start.isPending}
          />
        ) : null}
        <Field
          label="Model"
          hint={
            model === DEMO_MODEL
              ? DEMO_MODEL_LABEL
              : 'Empty: the project or global default (Claude Code picks when none is set).'
          }
          error={fieldErr('model')}
        >
          {(p) => (
            <input
              {...p}
              className={inputClass}
              value={model}
              onChange={(e) => setModel(e.target.value)}
              placeholder="e.g. claude-sonnet-4-5"
            />
          )}
        </Field>
        <Field
          label="Parallel agents"
          hint="1–5 coding agents, each in its own git worktree."
          error={fieldErr('concurrency')}
        >
          {(p) => (
            <select
              {...p}
              className={inputClass}
              value={concurrency}
              onChange={(e) => setConcurrency(Number(e.target.value))}
            >
              <NumberOptions from={1} to={5} />
            </select>
          )}
        </Field>
        <Field
          label="Testing agents"
          hint={
            yolo ? 'None with YOLO.' : '0–3 agents re-verifying passing features on main while the coding agents work.'
          }
          error={fieldErr('testingRatio')}
        >
          {(p) => (
            <select
              {...p}
              className={inputClass}
              value={yolo ? 0 : testingRatio}
              disabled={yolo}
              onChange={(e) => setTestingRatio(Number(e.target.value))}
            >
              <NumberOptions from={0} to={3} />
            </select>
          )}
        </Field>
        <Field
          label="Stop after this many sessions"
          hint="Empty: run until every feature passes or is stuck."
          error={fieldErr('maxIterations')}
        >
          {(p) => (
            <input
              {...p}
              className={inputClass}
              inputMode="numeric"
              pattern="[0-9]*"
              value={maxIterations}
              onChange={(e) => setMaxIterations(e.target.value)}
            />
          )}
        </Field>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" className="mt-1" checked={yolo} onChange={(e) => setYolo(e.target.checked)} />
          <span>
            <span className="font-medium">YOLO</span> — skip browser verification (faster, trusts the agent’s own
            checks)
          </span>
        </label>
        <div className="flex items-start gap-2 text-sm">
          <input
            id={supervisorId}
            type="checkbox"
            className="mt-1"
            checked={supervisor}
            aria-describedby={`${supervisorId}-hint`}
            onChange={(e) => setSupervisor(e.target.checked)}
          />
          <div className="flex flex-col gap-0.5">
            <label htmlFor={supervisorId} className="font-medium">
              Supervisor answers agents’ questions
            </label>
            <p id={`${supervisorId}-hint`} className="text-xs text-muted">
              The run never waits for you: a supervisor agent answers with reasoned choices from the spec and the code,
              and puts development placeholders in .env for secrets. You can override any of its answers later in the
              Inbox.
            </p>
          </div>
        </div>
        <div className="flex items-start gap-2 text-sm">
          <input
            id={verifierId}
            type="checkbox"
            className="mt-1"
            checked={verifier}
            aria-describedby={`${verifierId}-hint`}
            onChange={(e) => setVerifier(e.target.checked)}
          />
          <div className="flex flex-col gap-0.5">
            <label htmlFor={verifierId} className="font-medium">
              Independent verifier reviews each landing
            </label>
            <p id={`${verifierId}-hint`} className="text-xs text-muted">
              After a feature’s frozen checks pass, a read-only agent with its own model reviews the diff, the checks
              and the screenshots before main moves; a reject goes back to the coder. Costs one more session per
              feature.
            </p>
          </div>
        </div>
        <Field
          label="Regression pass every N landings"
          hint="The frozen checks of every passing feature, run on main without a model, and at the end. Empty: the setting (default 5); 0: never."
          error={fieldErr('regressionEvery')}
        >
          {(p) => (
            <input
              {...p}
              className={inputClass}
              inputMode="numeric"
              pattern="[0-9]*"
              value={regressionEvery}
              onChange={(e) => setRegressionEvery(e.target.value)}
            />
          )}
        </Field>
        <Field
          label="Design review every N passing features"
          hint="Screenshots of the app with accessibility checks, judged by the design personas; their fixes become features. Also at the end. Empty: the setting (default 0: never)."
          error={fieldErr('designReviewEvery')}
        >
          {(p) => (
            <input
              {...p}
              className={inputClass}
              inputMode="numeric"
              pattern="[0-9]*"
              value={designReviewEvery}
              onChange={(e) => setDesignReviewEvery(e.target.value)}
            />
          )}
        </Field>
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
          <Field
            label="Budget for this run (USD)"
            hint="The run drains and stops when it is used up. Empty: the budget.runUsd setting (none unless set)."
            error={fieldErr('maxCostUsd')}
          >
            {(p) => (
              <input
                {...p}
                className={inputClass}
                inputMode="decimal"
                placeholder="e.g. 20"
                value={maxCost}
                onChange={(e) => setMaxCost(e.target.value)}
              />
            )}
          </Field>
          <Field
            label="Budget per feature (USD)"
            hint="Over it, a feature asks you in the Inbox (raise or skip) instead of another attempt. Empty: budget.featureUsd."
            error={fieldErr('maxFeatureCostUsd')}
          >
            {(p) => (
              <input
                {...p}
                className={inputClass}
                inputMode="decimal"
                placeholder="e.g. 2"
                value={maxFeatureCost}
                onChange={(e) => setMaxFeatureCost(e.target.value)}
              />
            )}
          </Field>
        </div>
        {general ? (
          <p role="alert" className="rounded-lg bg-st-failed-bg px-3 py-2 text-sm text-st-failed">
            {general}
          </p>
        ) : null}
      </form>
    </Dialog>
  );
}
