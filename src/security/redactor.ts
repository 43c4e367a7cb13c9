/** Replaces every known secret value with a mask. Built once per run from the secrets it knows. */
export type Redactor = (text: string) => string;

export const MASK = '«redacted»';

/** Values shorter than this are not treated as secrets (masking "1" everywhere helps nobody). */
const MIN_SECRET_LENGTH = 6;

/**
 * Masks each secret and the encodings it commonly appears in when it leaks into text we
 * write: JSON-escaped, URL-encoded and base64.
 */
export function createRedactor(secrets: Iterable<string>, options: { minLength?: number } = {}): Redactor {
  // Provider keys are long; secrets a human typed may be short (the runner passes 4 for them).
  const min = Math.max(1, options.minLength ?? MIN_SECRET_LENGTH);
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < min) continue;
    variants.add(secret);
    variants.add(JSON.stringify(secret).slice(1, -1));
    variants.add(encodeURIComponent(secret));
    variants.add(Buffer.from(secret, 'utf8').toString('base64').replace(/=+$/, ''));
  }
  const ordered = [...variants].filter((v) => v.length >= min).sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return (text) => text;
  const pattern = new RegExp(ordered.map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(pattern, MASK);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
