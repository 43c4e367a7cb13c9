import { projectPaths } from '../../src/config/paths.js';
import { openProjectStore } from '../../src/db/stores.js';

/**
 * Seeds a project (made with `autocoder new`) with one feature, "Login", that asked a human for
 * an OAuth client secret and a provider (github | google): the request the terminal answer
 * tests type into. Returns the request id.
 */
export function seedOAuthRequest(dir: string): string {
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    store.features.create({ category: 'a', name: 'Login', description: 'log in', steps: ['x'] });
    const { claim } = store.claims.claimFeature(1, 'run/ses');
    return store.humanInput.request(claim, {
      kind: 'fields',
      prompt: 'Need the OAuth client',
      fields: [
        { id: 'client_secret', label: 'Client secret', type: 'secret', required: true },
        { id: 'provider', label: 'Provider', type: 'select', options: ['github', 'google'], required: true },
      ],
    }).request.id;
  } finally {
    store.close();
  }
}
