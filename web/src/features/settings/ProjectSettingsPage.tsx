import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { PutProjectSettingsRequestSchema, type ProjectSettings } from '@shared/api';
import { DEMO_MODEL, DEMO_MODEL_LABEL } from '@shared/runs';
import { ApiError } from '../../shared/api/client';
import { endpoints, keys } from '../../shared/api/endpoints';
import { Button } from '../../shared/ui/Button';
import { Field, inputClass } from '../../shared/ui/Field';
import { useToast } from '../../shared/ui/toast';
import { useProject } from '../../shared/project-context';
import { NumberOptions, SpecProblems } from '../../shared/ui/SpecProblems';
import { Dialog } from '../../shared/ui/Dialog';
import { SpecChatPanel } from '../../shared/spec-chat/SpecChatPanel';
import { RoleModelInputs, roleModelBody, roleModelValues } from './ProviderSettings';
import { useWideningConfirmation, wideningOf } from './ConfirmWidening';

function Card({ title, children, id }: { title: string; children: React.ReactNode; id: string }) {
  return (
    <section aria-labelledby={id} className="rounded-2xl border border-line bg-panel p-5 shadow-card">
      <h2 id={id} className="mb-4 text-base font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

function RunDefaults({ settings }: { settings: ProjectSettings }) {
  const { name } = useProject();
  const qc = useQueryClient();
  const toast = useToast();
  const [model, setModel] = useState(settings.defaultModel ?? '');
  const [concurrency, setConcurrency] = useState(
    settings.defaultConcurrency ? String(settings.defaultConcurrency) : '',
  );
  const [sandbox, setSandbox] = useState(settings.defaultSandbox ?? '');
  const [yolo, setYolo] = useState(settings.yolo ?? false);
  const [commands, setCommands] = useState(settings.extraCommands.join('\n'));
  const [models, setModels] = useState(roleModelValues(settings));
  const body = () => ({
    defaultModel: model.trim() || null,
    defaultConcurrency: concurrency ? Number(concurrency) : null,
    defaultSandbox: sandbox === '' ? null : (sandbox as 'auto' | 'on' | 'off'),
    yolo,
    ...roleModelBody(models),
    extraCommands: commands
      .split(/[\n,]/)
      .map((c) => c.trim())
      .filter(Boolean),
  });
  // A widening change (a new command, sandbox off, YOLO on) is sent only after the dialog, with confirm.
  const gate = useWideningConfirmation(PutProjectSettingsRequestSchema, (confirm) => save.mutate(confirm));
  const save = useMutation({
    mutationFn: (confirm: boolean) =>
      endpoints.putProjectSettings(name, { ...body(), ...(confirm ? { confirm: true } : {}) }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: keys.settings(name) });
      toast('Settings saved', 'success');
    },
    onError: (e) => gate.onError(e),
  });
  // A confirmation the server asked for shows as the dialog, not as an error.
  const failure = save.error && wideningOf(save.error) === null ? save.error : null;
  const err = failure instanceof ApiError ? failure : null;
  const fieldErr = (f: string) => (err && err.field?.startsWith(f) ? err.message : null);
  return (
    <form
      className="grid grid-cols-1 gap-4 md:grid-cols-2"
      onSubmit={(e) => {
        e.preventDefault();
        gate.submit(settings, body());
      }}
    >
      {gate.dialog}
      <Field
        label="Default model"
        hint={model === DEMO_MODEL ? DEMO_MODEL_LABEL : 'Empty: the global default.'}
        error={fieldErr('defaultModel')}
      >
        {(p) => <input {...p} className={inputClass} value={model} onChange={(e) => setModel(e.target.value)} />}
      </Field>
      <Field label="Default parallel agents" error={fieldErr('defaultConcurrency')}>
        {(p) => (
          <select {...p} className={inputClass} value={concurrency} onChange={(e) => setConcurrency(e.target.value)}>
            <option value="">Global default</option>
            <NumberOptions from={1} to={5} />
          </select>
        )}
      </Field>
      <Field label="OS sandbox" hint="auto: on where the machine supports it." error={fieldErr('defaultSandbox')}>
        {(p) => (
          <select {...p} className={inputClass} value={sandbox} onChange={(e) => setSandbox(e.target.value)}>
            <option value="">Global default</option>
            <option value="auto">auto</option>
            <option value="on">on</option>
            <option value="off">off</option>
          </select>
        )}
      </Field>
      <label className="flex items-center gap-2 self-end pb-2 text-sm">
        <input type="checkbox" checked={yolo} onChange={(e) => setYolo(e.target.checked)} />
        YOLO by default (skip browser verification)
      </label>
      <RoleModelInputs
        values={models}
        onChange={setModels}
        fieldErr={fieldErr}
        emptyHint="Empty: the global setting, else the default model."
      />
      <div className="md:col-span-2">
        <Field
          label="Extra commands agents may run"
          hint="One per line, e.g. cargo or pytest. Shells, interpreters and privilege tools are refused."
          error={fieldErr('extraCommands')}
        >
          {(p) => (
            <textarea
              {...p}
              rows={4}
              className={`${inputClass} font-mono`}
              value={commands}
              onChange={(e) => setCommands(e.target.value)}
            />
          )}
        </Field>
      </div>
      {failure && !err?.field ? (
        <p role="alert" className="text-sm text-st-failed md:col-span-2">
          {failure.message}
        </p>
      ) : null}
      <div className="md:col-span-2">
        <Button variant="primary" type="submit" disabled={save.isPending}>
          Save settings
        </Button>
      </div>
    </form>
  );
}

function SpecEditor() {
  const { name } = useProject();
  const qc = useQueryClient();
  const toast = useToast();
  const spec = useQuery({ queryKey: keys.spec(name), queryFn: () => endpoints.spec(name) });
  const [text, setText] = useState<string | null>(null);
  const [chatting, setChatting] = useState(false);
  useEffect(() => {
    if (spec.data && text === null) setText(spec.data.spec ?? '');
  }, [spec.data, text]);
  const save = useMutation({
    mutationFn: () => endpoints.putSpec(name, text ?? ''),
    onSuccess: async (r) => {
      qc.setQueryData(keys.spec(name), r);
      await qc.invalidateQueries({ queryKey: keys.project(name) });
      toast('App spec saved', 'success');
    },
  });
  const problems = (() => {
    const e = save.error;
    if (e instanceof ApiError && Array.isArray(e.details?.['problems']))
      return e.details['problems'] as { line: number; message: string }[];
    return spec.data?.check && !spec.data.check.ok ? spec.data.check.problems : [];
  })();
  return (
    <div className="flex flex-col gap-3">
      {spec.data?.check?.ok ? (
        <p className="text-sm text-st-passing">
          Valid spec{spec.data.check.featureCount ? ` · asks for about ${spec.data.check.featureCount} features` : ''}.
        </p>
      ) : null}
      <label htmlFor="spec-text" className="sr-only">
        App spec
      </label>
      <textarea
        id="spec-text"
        rows={16}
        className={`${inputClass} font-mono text-xs`}
        value={text ?? ''}
        onChange={(e) => setText(e.target.value)}
        placeholder="Paste the app spec here"
      />
      {problems.length > 0 ? (
        <SpecProblems problems={problems} />
      ) : save.error ? (
        <p role="alert" className="text-sm text-st-failed">
          {save.error.message}
        </p>
      ) : null}
      <div className="flex gap-2">
        <Button variant="primary" onClick={() => save.mutate()} disabled={save.isPending || !text?.trim()}>
          Save spec
        </Button>
        <Button onClick={() => setChatting(true)}>Write it with Claude…</Button>
      </div>
      {chatting ? (
        <Dialog open wide onClose={() => setChatting(false)} title={`Write the spec of ${name} with Claude`}>
          <p className="mb-3 text-sm text-muted">
            Claude asks about one topic at a time, then saves a checked spec in place of this one (which is kept as
            app_spec.txt.bak).
          </p>
          <SpecChatPanel
            project={name}
            onWritten={() => {
              // Show the new spec in the editor once it is fetched.
              void qc.invalidateQueries({ queryKey: keys.spec(name) }).then(() => setText(null));
              void qc.invalidateQueries({ queryKey: keys.project(name) });
            }}
          />
        </Dialog>
      ) : null}
    </div>
  );
}

function DangerZone() {
  const { name } = useProject();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [deleteFiles, setDeleteFiles] = useState(false);
  const remove = useMutation({
    mutationFn: () => endpoints.deleteProject(name, deleteFiles),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: keys.projects });
      void navigate('/');
    },
  });
  return (
    <div className="flex flex-col gap-3">
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={deleteFiles} onChange={(e) => setDeleteFiles(e.target.checked)} />
        Also delete the project folder and everything in it
      </label>
      {remove.error ? (
        <p role="alert" className="text-sm text-st-failed">
          {remove.error.message}
        </p>
      ) : null}
      <div>
        <Button
          variant="danger"
          onClick={() =>
            window.confirm(
              deleteFiles
                ? `Delete “${name}” and its folder? This cannot be undone.`
                : `Forget “${name}”? The folder stays.`,
            ) && remove.mutate()
          }
        >
          {deleteFiles ? 'Delete project and folder' : 'Remove from autocoder'}
        </Button>
      </div>
    </div>
  );
}

/** Per-project settings, the app spec and removal. */
export function ProjectSettingsPage() {
  const { name } = useProject();
  const settings = useQuery({ queryKey: keys.settings(name), queryFn: () => endpoints.projectSettings(name) });
  return (
    <div className="mx-auto flex w-full max-w-4xl flex-col gap-5">
      <Card title="Run defaults" id="run-defaults">
        {settings.error ? (
          <p role="alert" className="text-st-failed">
            {settings.error.message}
          </p>
        ) : null}
        {settings.data ? (
          <RunDefaults key={JSON.stringify(settings.data)} settings={settings.data} />
        ) : (
          <p className="text-muted">Loading…</p>
        )}
      </Card>
      <Card title="Model provider and models" id="provider">
        <p className="text-sm">
          The model provider, its credentials and the models of each role are set for all projects in{' '}
          <Link to="/settings#provider" className="font-medium text-accent underline">
            Settings
          </Link>
          . The models above, when set, apply to {name} only.
        </p>
      </Card>
      <Card title="App spec" id="app-spec">
        <SpecEditor />
      </Card>
      <Card title="Remove" id="remove">
        <DangerZone />
      </Card>
    </div>
  );
}
