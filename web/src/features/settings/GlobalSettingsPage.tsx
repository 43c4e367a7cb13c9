import { ProviderSettings } from './ProviderSettings';

/**
 * Settings for all projects: the model provider, its credentials and each role's model. A project's own settings (run
 * defaults, extra commands, its spec) stay on the project's Settings tab, which links here.
 */
export function GlobalSettingsPage() {
  return (
    <main className="mx-auto flex w-full max-w-4xl flex-col gap-5 px-4 py-8">
      <div>
        <h1 className="text-2xl font-semibold">Settings</h1>
        <p className="mt-1 text-sm text-muted">
          For every project on this machine. A project’s own run defaults and app spec are on its Settings tab.
        </p>
      </div>
      <section
        id="provider"
        aria-labelledby="provider-title"
        className="scroll-mt-20 rounded-2xl border border-line bg-panel p-5 shadow-card"
      >
        <h2 id="provider-title" className="mb-4 text-base font-semibold">
          Model provider and models
        </h2>
        <ProviderSettings />
      </section>
    </main>
  );
}
