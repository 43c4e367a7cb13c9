import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { PutGlobalSettingsRequestSchema, type GlobalSettingsResponse } from '@shared/api';
import {
  MODEL_ROLES,
  PROVIDERS,
  roleModelKey,
  type ModelRole,
  type Provider,
  type RoleModelKey,
} from '@shared/providers';
import { DEMO_MODEL, DEMO_MODEL_LABEL } from '@shared/runs';
import { ApiError } from '../../shared/api/client';
import { endpoints, keys } from '../../shared/api/endpoints';
import { Button } from '../../shared/ui/Button';
import { Field, inputClass } from '../../shared/ui/Field';
import { useToast } from '../../shared/ui/toast';
import { useWideningConfirmation, wideningOf } from './ConfirmWidening';

const ROLE_LABELS: Record<ModelRole, string> = {
  initializer: 'Initializer model',
  coding: 'Coding model',
  testing: 'Testing model',
  supervisor: 'Supervisor model',
  reviewer: 'Reviewer model',
  verifier: 'Verifier model',
  designer: 'Design persona model',
};

const PROVIDER_LABELS: Record<Provider, string> = {
  anthropic: 'Anthropic (Claude login or API key)',
  compatible: 'Anthropic-compatible endpoint (GLM, Kimi, Ollama, LiteLLM…)',
  bedrock: 'Amazon Bedrock',
  vertex: 'Google Vertex AI',
};

export type RoleModelValues = Record<ModelRole, string>;

export const roleModelValues = (settings: Partial<Record<RoleModelKey, string>>): RoleModelValues =>
  Object.fromEntries(MODEL_ROLES.map((r) => [r, settings[roleModelKey(r)] ?? ''])) as RoleModelValues;

/** The PUT body part of the role models: an empty field clears the role's model. */
export const roleModelBody = (values: RoleModelValues): Record<RoleModelKey, string | null> =>
  Object.fromEntries(MODEL_ROLES.map((r) => [roleModelKey(r), values[r].trim() || null])) as Record<
    RoleModelKey,
    string | null
  >;

/** One text field per role; empty means "use the general model". */
export function RoleModelInputs({
  values,
  onChange,
  fieldErr,
  emptyHint,
}: {
  values: RoleModelValues;
  onChange: (v: RoleModelValues) => void;
  fieldErr: (f: string) => string | null;
  emptyHint: string;
}) {
  return (
    <>
      {MODEL_ROLES.map((role) => (
        <Field key={role} label={ROLE_LABELS[role]} hint={emptyHint} error={fieldErr(roleModelKey(role))}>
          {(p) => (
            <input
              {...p}
              className={inputClass}
              value={values[role]}
              onChange={(e) => onChange({ ...values, [role]: e.target.value })}
            />
          )}
        </Field>
      ))}
    </>
  );
}

/** A secret as a password field: shows only whether it is set; typing replaces it, Remove clears it. */
function SecretField({
  label,
  isSet,
  value,
  onChange,
  remove,
  onRemove,
  error,
}: {
  label: string;
  isSet: boolean;
  value: string;
  onChange: (v: string) => void;
  remove: boolean;
  onRemove: (v: boolean) => void;
  error: string | null;
}) {
  const status = remove ? 'will be removed' : isSet ? 'set' : 'not set';
  return (
    <Field
      label={label}
      hint={`Currently ${status}. Stored only on this machine (mode 0600), never shown again.`}
      error={error}
    >
      {(p) => (
        <div className="flex items-center gap-2">
          <input
            {...p}
            type="password"
            autoComplete="off"
            className={inputClass}
            value={value}
            placeholder={isSet ? '•••••• (set)' : 'not set'}
            onChange={(e) => onChange(e.target.value)}
          />
          {isSet ? (
            <label className="flex shrink-0 items-center gap-1 text-xs">
              <input type="checkbox" checked={remove} onChange={(e) => onRemove(e.target.checked)} />
              Remove
            </label>
          ) : null}
        </div>
      )}
    </Field>
  );
}

function ProviderForm({ settings }: { settings: GlobalSettingsResponse }) {
  const qc = useQueryClient();
  const toast = useToast();
  const [provider, setProvider] = useState<string>(settings.provider ?? '');
  const [baseUrl, setBaseUrl] = useState(settings.baseUrl ?? '');
  const [awsRegion, setAwsRegion] = useState(settings.awsRegion ?? '');
  const [vertexProject, setVertexProject] = useState(settings.vertexProject ?? '');
  const [vertexRegion, setVertexRegion] = useState(settings.vertexRegion ?? '');
  const [token, setToken] = useState('');
  const [removeToken, setRemoveToken] = useState(false);
  const [apiKey, setApiKey] = useState('');
  const [removeApiKey, setRemoveApiKey] = useState(false);
  const [models, setModels] = useState(roleModelValues(settings));
  const [general, setGeneral] = useState(settings.defaultModel ?? '');
  const secret = (typed: string, remove: boolean) => (typed.trim() ? typed.trim() : remove ? null : undefined);
  const body = () => ({
    provider: provider === '' ? null : (provider as Provider),
    baseUrl: baseUrl.trim() || null,
    awsRegion: awsRegion.trim() || null,
    vertexProject: vertexProject.trim() || null,
    vertexRegion: vertexRegion.trim() || null,
    authToken: secret(token, removeToken),
    apiKey: secret(apiKey, removeApiKey),
    defaultModel: general.trim() || null,
    ...roleModelBody(models),
  });
  // A new base URL (where sessions send the credentials and the code) is sent only after the dialog, with confirm.
  const gate = useWideningConfirmation(PutGlobalSettingsRequestSchema, (confirm) => save.mutate(confirm));
  const save = useMutation({
    mutationFn: (confirm: boolean) => endpoints.putGlobalSettings({ ...body(), ...(confirm ? { confirm: true } : {}) }),
    onSuccess: async (saved) => {
      qc.setQueryData(keys.globalSettings, saved);
      await qc.invalidateQueries({ queryKey: keys.setup });
      toast('Provider settings saved', 'success');
    },
    onError: (e) => gate.onError(e),
  });
  // A confirmation the server asked for shows as the dialog, not as an error.
  const failure = save.error && wideningOf(save.error) === null ? save.error : null;
  const err = failure instanceof ApiError ? failure : null;
  const fieldErr = (f: string) => (err && err.field === f ? err.message : null);
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
        label="Provider"
        hint="Unset: whatever the server's environment says (ANTHROPIC_*, CLAUDE_CODE_USE_*)."
        error={fieldErr('provider')}
      >
        {(p) => (
          <select {...p} className={inputClass} value={provider} onChange={(e) => setProvider(e.target.value)}>
            <option value="">From the environment</option>
            {PROVIDERS.map((id) => (
              <option key={id} value={id}>
                {PROVIDER_LABELS[id]}
              </option>
            ))}
          </select>
        )}
      </Field>
      {provider === 'compatible' || (provider === '' && baseUrl) ? (
        <Field
          label="Base URL"
          hint="The endpoint's Anthropic Messages API, e.g. https://api.z.ai/api/anthropic or http://localhost:4000."
          error={fieldErr('baseUrl')}
        >
          {(p) => <input {...p} className={inputClass} value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} />}
        </Field>
      ) : null}
      {provider === 'compatible' || provider === '' ? (
        <SecretField
          label="Auth token"
          isSet={settings.secrets.authToken}
          value={token}
          onChange={setToken}
          remove={removeToken}
          onRemove={setRemoveToken}
          error={fieldErr('authToken')}
        />
      ) : null}
      {provider === 'anthropic' || provider === '' ? (
        <SecretField
          label="Anthropic API key"
          isSet={settings.secrets.apiKey}
          value={apiKey}
          onChange={setApiKey}
          remove={removeApiKey}
          onRemove={setRemoveApiKey}
          error={fieldErr('apiKey')}
        />
      ) : null}
      {provider === 'bedrock' ? (
        <Field
          label="AWS region"
          hint="Credentials come from the AWS configuration (aws configure, AWS_PROFILE…)."
          error={fieldErr('awsRegion')}
        >
          {(p) => (
            <input {...p} className={inputClass} value={awsRegion} onChange={(e) => setAwsRegion(e.target.value)} />
          )}
        </Field>
      ) : null}
      {provider === 'vertex' ? (
        <>
          <Field label="GCP project" error={fieldErr('vertexProject')}>
            {(p) => (
              <input
                {...p}
                className={inputClass}
                value={vertexProject}
                onChange={(e) => setVertexProject(e.target.value)}
              />
            )}
          </Field>
          <Field
            label="Vertex region"
            hint="Credentials: gcloud auth application-default login."
            error={fieldErr('vertexRegion')}
          >
            {(p) => (
              <input
                {...p}
                className={inputClass}
                value={vertexRegion}
                onChange={(e) => setVertexRegion(e.target.value)}
              />
            )}
          </Field>
        </>
      ) : null}
      <Field
        label="General model (all projects)"
        hint={
          general.trim() === DEMO_MODEL
            ? `${DEMO_MODEL_LABEL}, for every project without a model of its own.`
            : 'The model of every role without its own, in projects without their own default. Empty: Claude Code’s default.'
        }
        error={fieldErr('defaultModel')}
      >
        {(p) => (
          <input
            {...p}
            className={inputClass}
            value={general}
            onChange={(e) => setGeneral(e.target.value)}
            placeholder="e.g. claude-sonnet-4-5"
          />
        )}
      </Field>
      <RoleModelInputs values={models} onChange={setModels} fieldErr={fieldErr} emptyHint="Empty: the general model." />
      {failure && !err?.field ? (
        <p role="alert" className="text-sm text-st-failed md:col-span-2">
          {failure.message}
        </p>
      ) : null}
      <div className="md:col-span-2">
        <Button variant="primary" type="submit" disabled={save.isPending}>
          Save provider and models
        </Button>
      </div>
    </form>
  );
}

/** The global provider, its secrets and the global model per role (every project; projects may override the models). */
export function ProviderSettings() {
  const settings = useQuery({ queryKey: keys.globalSettings, queryFn: endpoints.globalSettings });
  if (settings.error)
    return (
      <p role="alert" className="text-st-failed">
        {settings.error.message}
      </p>
    );
  if (!settings.data) return <p className="text-muted">Loading…</p>;
  return <ProviderForm key={JSON.stringify(settings.data)} settings={settings.data} />;
}
