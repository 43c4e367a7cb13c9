/**
 * The spellings a secret takes when it leaks into text: as written, escaped for JSON or a URL,
 * hex-encoded, or base64-encoded on its own or inside a larger blob. Pure: the redactor masks
 * every form returned here (and, by matching on a copy of the text with line breaks removed,
 * their line-wrapped versions too).
 */

/**
 * Hex and base64 forms shorter than this are not used: too few characters to be specific (a 4-character password's
 * base64 would match inside any blob).
 */
export const MIN_ENCODED_LENGTH = 10;

/**
 * The forms of one secret, longest first, without duplicates. `minLength` applies to every form; hex and base64 forms
 * also need MIN_ENCODED_LENGTH.
 */
export function secretForms(secret: string, minLength: number): string[] {
  const forms = new Set<string>([secret, ...jsonForms(secret), ...urlForms(secret)]);
  const bytes = Buffer.from(secret, 'utf8');
  const encoded = [bytes.toString('hex'), bytes.toString('hex').toUpperCase(), ...base64Forms(bytes)];
  for (const form of encoded) if (form.length >= MIN_ENCODED_LENGTH) forms.add(form);
  return [...forms].filter((f) => f.length >= minLength).sort((a, b) => b.length - a.length);
}

/** JSON.stringify's escaping, and the all-ASCII escaping other serializers use (Python's json.dumps: `\u00e9`). */
function jsonForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  return [json, json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)];
}

/**
 * encodeURIComponent, encodeURI and form encoding (URLSearchParams: space as `+`, `!'()~`
 * escaped), each with upper- and lower-case hex digits (both are valid and both are used).
 */
function urlForms(secret: string): string[] {
  let uri: string;
  let component: string;
  try {
    uri = encodeURI(secret);
    component = encodeURIComponent(secret);
  } catch {
    // A lone surrogate cannot be URL-encoded, so it never appears URL-encoded either.
    return [];
  }
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  const lowerHex = (s: string) => s.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
  return [uri, component, form].flatMap((f) => [f, lowerHex(f)]);
}

/**
 * Base64 and base64url of the secret on its own (no padding), and the part that stays the same
 * wherever the secret sits inside a larger encoded blob (`Basic base64(user:secret)`, a JWT
 * segment): shifted by 0, 1 or 2 bytes, only the characters made from the secret's bits alone.
 */
function base64Forms(bytes: Buffer): string[] {
  const forms = [bytes.toString('base64').replace(/=+$/, '')];
  for (const shift of [0, 1, 2]) {
    const blob = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    forms.push(blob.slice(Math.ceil((shift * 8) / 6), Math.floor(((shift + bytes.length) * 8) / 6)));
  }
  return forms.flatMap((f) => [f, f.replace(/\+/g, '-').replace(/\//g, '_')]);
}
