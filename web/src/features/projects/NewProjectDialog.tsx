import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { ProjectNameSchema } from '@shared/api';
import { ApiError } from '../../shared/api/client';
import { endpoints, keys } from '../../shared/api/endpoints';
import { Button } from '../../shared/ui/Button';
import { Dialog } from '../../shared/ui/Dialog';
import { Field, inputClass } from '../../shared/ui/Field';
import { FolderPicker } from './FolderPicker';
import { SpecProblems } from '../../shared/ui/SpecProblems';
import { SpecChatPanel } from '../../shared/spec-chat/SpecChatPanel';

type Mode = 'create' | 'import';
/** Where a new project's spec comes from: pasted now, or written with Claude right after creating it. */
type SpecSource = 'paste' | 'chat';
interface SpecProblem {
  line: number;
  message: string;
}

function specProblems(err: unknown): SpecProblem[] {
  if (!(err instanceof ApiError) || err.field !== 'spec') return [];
  const problems = err.details?.['problems'];
  return Array.isArray(problems)
    ? problems.filter((p): p is SpecProblem => typeof p === 'object' && p !== null && 'line' in p && 'message' in p)
    : [];
}

/** The name's problem, or null; an empty name is one only once the person tried to create the project. */
function nameProblemOf(name: string, attempted: boolean): string | null {
  if (name === '' && !attempted) return null;
  const checked = ProjectNameSchema.safeParse(name);
  return checked.success ? null : (checked.error.issues[0]?.message ?? 'invalid name');
}

/** How long typing pauses before the spec is checked: a check per keystroke would flood the server. */
const SPEC_CHECK_DELAY_MS = 300;

/**
 * Create a project (name, folder, a git remote for one shared by machines, app spec) or register an existing folder.
 * The spec is checked as it is typed and "Insert template" fills in the template; on Create the name's and the spec's
 * problems show together.
 */
export function NewProjectDialog({ onClose }: { onClose: () => void }) {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [mode, setMode] = useState<Mode>('create');
  const [name, setName] = useState('');
  const [path, setPath] = useState('');
  const [remote, setRemote] = useState('');
  const [spec, setSpec] = useState('');
  const [specSource, setSpecSource] = useState<SpecSource>('paste');
  /** The project whose spec is being written with Claude (after it was created). */
  const [chatProject, setChatProject] = useState<string | null>(null);
  const [specWritten, setSpecWritten] = useState(false);
  const [picking, setPicking] = useState(false);
  const [attempted, setAttempted] = useState(false);
  const pasting = mode === 'create' && specSource === 'paste';
  // The spec as last checked: it follows the text once typing pauses.
  const [checkedSpec, setCheckedSpec] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setCheckedSpec(spec), SPEC_CHECK_DELAY_MS);
    return () => clearTimeout(timer);
  }, [spec]);
  const specCheckKey = (text: string) => ['spec-check', text] as const;
  const liveCheck = useQuery({
    queryKey: specCheckKey(checkedSpec),
    queryFn: () => endpoints.checkSpec(checkedSpec),
    enabled: pasting && checkedSpec.trim() !== '',
    staleTime: Infinity,
  });
  const template = useMutation({
    mutationFn: () => endpoints.specTemplate(),
    onSuccess: (r) => setSpec(r.template),
  });
  const nameError = nameProblemOf(name, attempted);
  const submit = useMutation({
    mutationFn: async () => {
      setAttempted(true);
      const nameProblem = nameProblemOf(name, true);
      // Both are checked before anything is sent, so their problems show together.
      if (pasting && spec.trim()) {
        const check = await endpoints.checkSpec(spec);
        qc.setQueryData(specCheckKey(spec), check);
        setCheckedSpec(spec);
        if (!check.ok || nameProblem)
          throw new ApiError(400, 'INVALID_INPUT', 'fix the problems shown first', {
            field: nameProblem ? 'name' : 'spec',
            problems: check.problems,
          });
      } else if (nameProblem) {
        throw new ApiError(400, 'INVALID_INPUT', 'fix the name first', { field: 'name' });
      }
      if (mode === 'import') return endpoints.importProject({ name, path: path.trim() });
      return endpoints.createProject({
        name,
        ...(path.trim() ? { path: path.trim() } : {}),
        ...(specSource === 'paste' && spec.trim() ? { spec } : {}),
        // Only when filled: a project of this machine has none (and a server without PostgreSQL refuses one).
        ...(remote.trim() ? { remote: remote.trim() } : {}),
      });
    },
    onSuccess: async (project) => {
      await qc.invalidateQueries({ queryKey: keys.projects });
      if (mode === 'create' && specSource === 'chat') {
        setChatProject(project.name);
        return;
      }
      onClose();
      void navigate(`/projects/${encodeURIComponent(project.name)}`);
    },
  });
  if (chatProject !== null) {
    const open = () => {
      onClose();
      void navigate(`/projects/${encodeURIComponent(chatProject)}`);
    };
    return (
      <Dialog
        open
        wide
        onClose={open}
        title={`Write the spec of ${chatProject} with Claude`}
        footer={
          <Button variant={specWritten ? 'primary' : 'secondary'} onClick={open}>
            {specWritten ? 'Open the project' : 'Skip for now'}
          </Button>
        }
      >
        <p className="mb-3 text-sm text-muted">
          The project is created. Claude asks about one topic at a time — what the app is, who uses it, the stack, the
          data, the features, when it is done — then saves a checked app spec.
        </p>
        <SpecChatPanel
          project={chatProject}
          onWritten={() => {
            setSpecWritten(true);
            void qc.invalidateQueries({ queryKey: keys.projects });
          }}
        />
      </Dialog>
    );
  }
  const err = submit.error instanceof ApiError ? submit.error : null;
  // The live check of the spec as it stands; else what the server said when it was sent.
  const live = pasting && spec.trim() !== '' && checkedSpec === spec ? liveCheck.data : undefined;
  const problems = live ? live.problems : pasting && spec.trim() !== '' ? specProblems(submit.error) : [];
  const fieldErr = (f: string) => (err && err.field === f && !(f === 'spec' && problems.length) ? err.message : null);
  const general =
    submit.error && !(err && ['name', 'path', 'remote', 'spec'].includes(err.field ?? ''))
      ? submit.error.message
      : null;
  return (
    <Dialog
      open
      wide
      onClose={onClose}
      title="New project"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form="new-project" disabled={submit.isPending}>
            {mode === 'create'
              ? specSource === 'chat'
                ? 'Create and write the spec'
                : 'Create project'
              : 'Import folder'}
          </Button>
        </>
      }
    >
      <div
        role="tablist"
        aria-label="How to add the project"
        className="mb-4 inline-flex rounded-lg border border-line p-0.5"
      >
        {(['create', 'import'] as const).map((m) => (
          <button
            key={m}
            type="button"
            role="tab"
            aria-selected={mode === m}
            onClick={() => setMode(m)}
            className={`rounded-md px-3 py-1 text-sm ${mode === m ? 'bg-accent text-accent-ink' : 'text-muted hover:text-ink'}`}
          >
            {m === 'create' ? 'New app from a spec' : 'Import an existing folder'}
          </button>
        ))}
      </div>
      <form
        id="new-project"
        noValidate
        className="flex flex-col gap-4"
        onSubmit={(e) => {
          e.preventDefault();
          submit.mutate();
        }}
      >
        <Field label="Name" hint="Lowercase letters, digits, “.”, “_” or “-”." error={nameError ?? fieldErr('name')}>
          {(p) => (
            <input
              {...p}
              className={inputClass}
              value={name}
              onChange={(e) => setName(e.target.value)}
              autoFocus
              autoComplete="off"
            />
          )}
        </Field>
        <Field
          label={mode === 'create' ? 'Folder (optional)' : 'Folder'}
          hint={
            mode === 'create'
              ? 'Empty: a new folder named after the project in the projects folder.'
              : 'An existing folder; autocoder keeps its data in .autocoder/ inside it.'
          }
          error={fieldErr('path')}
        >
          {(p) => (
            <div className="flex gap-2">
              <input
                {...p}
                className={`${inputClass} font-mono`}
                value={path}
                onChange={(e) => setPath(e.target.value)}
                placeholder="/home/me/code/my-app"
              />
              <Button onClick={() => setPicking((x) => !x)}>Browse…</Button>
            </div>
          )}
        </Field>
        {picking ? (
          <FolderPicker
            onCancel={() => setPicking(false)}
            onPick={(picked) => {
              setPath(mode === 'create' && name ? `${picked.replace(/\/$/, '')}/${name}` : picked);
              setPicking(false);
            }}
          />
        ) : null}
        {mode === 'create' ? (
          <Field
            label="Git remote (shared projects)"
            hint="Optional: needs a PostgreSQL store; a bare repository's path, ssh or https URL."
            error={fieldErr('remote')}
          >
            {(p) => (
              <input
                {...p}
                className={`${inputClass} font-mono`}
                value={remote}
                onChange={(e) => setRemote(e.target.value)}
                placeholder="git@forge.example:team/my-app.git"
                autoComplete="off"
                spellCheck={false}
              />
            )}
          </Field>
        ) : null}
        {mode === 'create' ? (
          <fieldset className="flex flex-col gap-1 text-sm">
            <legend className="mb-1 font-medium">App spec</legend>
            <label className="flex items-center gap-2">
              <input
                type="radio"
                name="spec-source"
                checked={specSource === 'paste'}
                onChange={() => setSpecSource('paste')}
              />{' '}
              Paste a spec (or add it later)
            </label>
            <label className="flex items-center gap-2">
              <input
                type="radio"
                name="spec-source"
                checked={specSource === 'chat'}
                onChange={() => setSpecSource('chat')}
              />{' '}
              Write the spec with Claude after creating the project
            </label>
          </fieldset>
        ) : null}
        {pasting ? (
          <div className="flex flex-wrap items-center gap-2">
            <Button
              onClick={() => template.mutate()}
              disabled={template.isPending || spec.trim() !== ''}
              title={spec.trim() !== '' ? 'Empty the spec field to insert the template' : undefined}
            >
              Insert template
            </Button>
            <span className="text-xs text-muted">
              {spec.trim() !== ''
                ? 'The template goes into an empty field.'
                : 'A spec with every section to fill in (as autocoder spec-template prints it).'}
            </span>
            {template.error ? (
              <p role="alert" className="text-xs font-medium text-st-failed">
                {template.error.message}
              </p>
            ) : null}
          </div>
        ) : null}
        {pasting ? (
          <Field
            label="App spec (optional)"
            hint={
              live?.ok
                ? `Valid spec${live.featureCount ? ` · asks for about ${live.featureCount} features` : ''}.`
                : 'Paste or write the spec; it is checked as you type and again before anything is created. You can add it later in Settings.'
            }
            error={fieldErr('spec')}
          >
            {(p) => (
              <textarea
                {...p}
                rows={10}
                className={`${inputClass} font-mono text-xs`}
                value={spec}
                onChange={(e) => setSpec(e.target.value)}
              />
            )}
          </Field>
        ) : null}
        <SpecProblems problems={problems} heading />
        {general ? (
          <p role="alert" className="rounded-lg bg-st-failed-bg px-3 py-2 text-sm text-st-failed">
            {general}
          </p>
        ) : null}
      </form>
    </Dialog>
  );
}
