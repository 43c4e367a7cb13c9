import { DEMO_FEATURES } from './demo-app.js';

/**
 * The app spec of the demo project. The scripted demo model does not read it (it always plans
 * the same backlog), but it is a real spec: it passes the validator, the UI shows it, and a
 * real model given the same project would build the same page from it.
 */
/** The spec's project name: how the demo model recognises the demo project in the initializer prompt. */
export const DEMO_PROJECT_NAME = 'demo-todos';

export const DEMO_SPEC = `<project_specification>
  <project_name>${DEMO_PROJECT_NAME}</project_name>

  <overview>
    A one-page todo list, built by autocoder's credential-free demo. The agent sessions that
    build it are real Claude Code sessions, but the model answering them is a built-in script
    (demo model: scripted, no AI), so the demo needs no account and costs nothing.
  </overview>

  <technology_stack>
    <frontend>Plain HTML, CSS and JavaScript modules; no build step, no dependencies</frontend>
    <backend>None: a tiny static file server (server.js) started by init.sh</backend>
    <testing>node --test for the logic of every feature</testing>
  </technology_stack>

  <feature_count>${DEMO_FEATURES.length}</feature_count>

  <core_features>
${DEMO_FEATURES.map((f) => `    - ${f.name}: ${f.description}`).join('\n')}
  </core_features>

  <ui_layout>
    One page: a title, an input with an Add button, filter buttons, the list (each row with a
    checkbox and a delete button) and the count of open todos below it.
  </ui_layout>

  <success_criteria>
    - Every feature's test passes with \`node --test\`.
    - Todos can be added, completed, deleted and filtered, and survive a reload.
  </success_criteria>
</project_specification>
`;
