import type { z } from 'zod';

/**
 * Validation problems as a person (or a model) can act on them: each names its field the way it
 * is written, `features[3].acceptance[1].path`, and a failed union (a browser step, a locator)
 * is narrowed to the branch that was meant instead of zod's "Invalid input". Browser-safe.
 */

export interface Problem {
  /** The field, e.g. `features[3].acceptance[1].path` (`input` for the whole value). */
  readonly field: string;
  readonly message: string;
}

/** `features[3].acceptance[1].path` from a path of keys and indices, after `prefix`. */
export function fieldPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? 'input' : out;
}

type Issue = z.core.$ZodIssue;

/** The keys a union's branch expects first (what names a step or a locator: `goto`, `fill`, `role`…). */
function unrecognizedAtRoot(branch: readonly Issue[]): boolean {
  return branch.some((i) => i.code === 'unrecognized_keys' && i.path.length === 0);
}

/** The object keys the value at `path` had, to name what was given when no branch fits. */
function givenKeys(branches: readonly (readonly Issue[])[]): string[] {
  const keys = new Set<string>();
  for (const branch of branches)
    for (const i of branch)
      if (i.code === 'unrecognized_keys' && i.path.length === 0) i.keys.forEach((k) => keys.add(k));
  return [...keys];
}

/** The name each branch of a union of strict objects is known by (the first key it asks for). */
function branchNames(branches: readonly (readonly Issue[])[]): string[] {
  const names: string[] = [];
  for (const branch of branches) {
    const first = branch.find((i) => i.path.length === 1 && i.code !== 'unrecognized_keys');
    const name = first?.path[0];
    if (name !== undefined && !names.includes(String(name))) names.push(String(name));
  }
  return names;
}

function flatten(issue: Issue, base: readonly PropertyKey[], out: { path: PropertyKey[]; message: string }[]): void {
  const path = [...base, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // The branch whose keys the value had (no key it did not know): its problems are the real ones.
    const meant = issue.errors.filter((branch) => !unrecognizedAtRoot(branch));
    // Several branches fit as well (an empty object, or keys that several share): none was meant.
    if (meant.length > 1) {
      out.push({ path, message: `expected one of: ${branchNames(issue.errors).join(', ')}` });
      return;
    }
    if (meant.length > 0) {
      const best = [...meant].sort((a, b) => a.length - b.length)[0] ?? [];
      for (const inner of best) flatten(inner, path, out);
      return;
    }
    const given = givenKeys(issue.errors);
    const names = branchNames(issue.errors);
    out.push({
      path,
      message: `${given.length > 0 ? `unknown ${given.length === 1 ? 'key' : 'keys'} ${given.map((k) => `"${k}"`).join(', ')}` : 'not a valid value'}${names.length > 0 ? `; expected one of: ${names.join(', ')}` : ''}`,
    });
    return;
  }
  if (issue.code === 'unrecognized_keys') {
    out.push({
      path,
      message: `unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map((k) => `"${k}"`).join(', ')}`,
    });
    return;
  }
  out.push({ path, message: issue.message });
}

/** Every problem of a zod error, with its field written out (after `prefix`, e.g. `features`). */
export function describeIssues(issues: readonly Issue[], prefix = ''): Problem[] {
  const flat: { path: PropertyKey[]; message: string }[] = [];
  for (const issue of issues) flatten(issue, [], flat);
  return flat.map((p) => ({ field: fieldPath(p.path, prefix), message: p.message }));
}

/** The problems joined into one line: `features[3].acceptance[1].path: must be …; …`. */
export function issuesText(issues: readonly Issue[], prefix = ''): string {
  return describeIssues(issues, prefix)
    .map((p) => `${p.field}: ${p.message}`)
    .join('; ');
}
