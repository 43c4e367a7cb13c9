import { afterEach, expect, it } from 'vitest';
import { openTempProject, type TempProject } from '../../test/support/tmp.js';
import { designFixesPassed } from './run-loop.js';

let project: TempProject | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

it("an open design review's next iteration waits for its fix features; one a person deleted is not waited for", () => {
  project = openTempProject();
  const { features, claims } = project.store;
  const a = features.create({ category: 'design', name: 'fix a', description: 'a', steps: ['a'] });
  const b = features.create({ category: 'design', name: 'fix b', description: 'b', steps: ['b'] });
  const ids = [a.id, b.id];
  expect(designFixesPassed({ features }, ids)).toBe(false);
  claims.markPassing(claims.claimFeature(a.id, 'run_test/ses_test').claim);
  expect(designFixesPassed({ features }, ids)).toBe(false);
  // Deleted instead of worked: the run must neither wait for it nor fail on it.
  features.delete(b.id);
  expect(designFixesPassed({ features }, ids)).toBe(true);
});
