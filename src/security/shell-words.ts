/**
 * Lexical layer of the Bash policy: pre-parse character checks and an independent,
 * deliberately small re-implementation of bash word dequoting. A word is accepted only if it
 * uses the subset modelled here (unquoted safe characters, backslash escapes, '…', "…" without
 * expansions) AND unbash agrees on its value; any disagreement is a denial (parser differential).
 */
import { forEachChild, type SyntaxNode, type Word } from 'unbash';
import { deny, type Denial, type DenyCategory } from './policy-types.js';

export const MAX_COMMAND_LENGTH = 4096;

/** Invisible or look-alike characters that are not controls/format/space by category. */
const FILLERS = new Set([0x115f, 0x1160, 0x3164, 0xffa0, 0x2800]);

/** Rejects inputs that bash, the parser and a human reader could see differently. */
export function preLexicalCheck(command: string): Denial | null {
  if (command.length > MAX_COMMAND_LENGTH) {
    return deny(
      'too_long',
      `command is ${command.length} characters; the limit is ${MAX_COMMAND_LENGTH}. Split it into smaller commands or write a script file`,
    );
  }
  if (command.includes('\\\n')) {
    return deny('parse_error', 'backslash-newline line continuations are not allowed; put the command on one line');
  }
  for (const ch of command) {
    if (ch === '\n' || ch === '\t' || ch === ' ') continue;
    const cp = ch.codePointAt(0) ?? 0;
    const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    if (cp === 0) return deny('control_char', 'command contains a NUL byte; remove it');
    if (cp === 0x0d)
      return deny('control_char', 'command contains a carriage return (\\r); use plain \\n line endings');
    if (/[\p{Cc}\p{Cf}\p{Zs}\p{Zl}\p{Zp}]/u.test(ch) || FILLERS.has(cp)) {
      return deny(
        'control_char',
        `command contains the invisible or look-alike character ${hex}; retype it with plain ASCII spaces and quotes`,
      );
    }
  }
  return null;
}

export type WordMode = 'word' | 'assignment';

export type ScanResult = { ok: true; value: string } | ({ ok: false } & Denial);

const SAFE_UNQUOTED = /^[A-Za-z0-9_\-./,:=+@%^!#~\]]$/;

function fail(category: DenyCategory, reason: string): ScanResult {
  return { ok: false, category, reason };
}

/**
 * Dequotes a word's source text using only constructs whose meaning is certain:
 * unquoted safe characters, `\x` escapes, single quotes, and double quotes containing no `$`
 * (except a `$` right before the closing quote or whitespace, which bash keeps literally) and no
 * backticks. In 'assignment' mode glob characters are allowed (bash does not glob assignments).
 */
export function scanWord(text: string, mode: WordMode): ScanResult {
  let value = '';
  let i = 0;
  if (text === '[' || text === ']') return { ok: true, value: text };
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === undefined) return fail('parse_error', 'a word ends with a lone backslash');
      if (next === '\n')
        return fail('parse_error', 'backslash-newline line continuations are not allowed; put the command on one line');
      value += next;
      i += 2;
      continue;
    }
    if (ch === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) return fail('parse_error', 'unterminated single quote');
      value += text.slice(i + 1, close);
      i = close + 1;
      continue;
    }
    if (ch === '"') {
      const r = scanDoubleQuoted(text, i + 1);
      if (!r.ok) return r;
      value += r.value;
      i = r.next;
      continue;
    }
    if (ch === '$') {
      return text[i + 1] === '(' && text[i + 2] !== '('
        ? fail(
            'substitution',
            'command substitution `$(…)` is not allowed; run the inner command separately and use its output',
          )
        : fail(
            'expansion',
            `shell expansion \`${text.slice(i, i + 12)}\` is not allowed (variables, $'…', $"…"); write the literal value, quoted`,
          );
    }
    if (ch === '`')
      return fail('substitution', 'backtick command substitution is not allowed; run the inner command separately');
    if (ch === '~' && (i === 0 || text[i - 1] === '=' || text[i - 1] === ':')) {
      return fail('expansion', '`~` (home directory) is not allowed; use paths inside the project, relative to it');
    }
    if (ch === '*' || ch === '?' || ch === '[') {
      if (mode === 'assignment') {
        value += ch;
        i += 1;
        continue;
      }
      return fail(
        'glob',
        `unquoted glob character \`${ch}\` in \`${text}\` is not allowed; list the files explicitly or quote the pattern (e.g. find's -name '*.ts')`,
      );
    }
    if (ch === '{' || ch === '}')
      return fail(
        'expansion',
        `unquoted brace \`${ch}\` (brace expansion) is not allowed; write each argument out or quote it`,
      );
    if (ch === '#' && i === 0) return fail('parse_error', 'a word starting with # is a comment');
    if (SAFE_UNQUOTED.test(ch) || (ch.codePointAt(0) ?? 0) >= 0x80) {
      value += ch;
      i += 1;
      continue;
    }
    return fail('parse_error', `unexpected unquoted character \`${ch}\`; quote the argument`);
  }
  return { ok: true, value };
}

function scanDoubleQuoted(
  text: string,
  start: number,
): { ok: true; value: string; next: number } | ({ ok: false } & Denial) {
  let value = '';
  let i = start;
  for (;;) {
    const c = text[i];
    if (c === undefined) return { ok: false, category: 'parse_error', reason: 'unterminated double quote' };
    if (c === '"') return { ok: true, value, next: i + 1 };
    if (c === '\\') {
      const n = text[i + 1];
      if (n === undefined) return { ok: false, category: 'parse_error', reason: 'unterminated double quote' };
      if (n === '\n')
        return { ok: false, category: 'parse_error', reason: 'backslash-newline inside double quotes is not allowed' };
      value += '$`"\\'.includes(n) ? n : `\\${n}`;
      i += 2;
      continue;
    }
    if (c === '$') {
      const n = text[i + 1];
      if (n === '"' || n === ' ' || n === '\t' || n === '\n') {
        value += '$';
        i += 1;
        continue;
      }
      return n === '('
        ? {
            ok: false,
            category: 'substitution',
            reason: 'command substitution `$(…)` inside double quotes is not allowed; run the inner command separately',
          }
        : {
            ok: false,
            category: 'expansion',
            reason: `\`$\` inside double quotes expands variables; use single quotes for a literal \`$\``,
          };
    }
    if (c === '`')
      return { ok: false, category: 'substitution', reason: 'backtick command substitution is not allowed' };
    value += c;
    i += 1;
  }
}

const LITERAL_HINT = 'write the literal value (single-quote it if it contains special characters)';
const PART_CATEGORY: Record<string, { category: DenyCategory; reason: (text: string) => string }> = {
  CommandExpansion: {
    category: 'substitution',
    reason: () => 'command substitution $(…) / backticks is not allowed; run the inner command on its own first',
  },
  ProcessSubstitution: {
    category: 'substitution',
    reason: () => 'process substitution <(…) / >(…) is not allowed; write to a file first',
  },
  ArithmeticCommandExpansion: {
    category: 'substitution',
    reason: () => 'command substitution inside arithmetic is not allowed',
  },
  SimpleExpansion: {
    category: 'expansion',
    reason: (t) => `variable expansion in \`${t}\` is not allowed; ${LITERAL_HINT}`,
  },
  ParameterExpansion: {
    category: 'expansion',
    reason: (t) => `parameter expansion \${…} in \`${t}\` is not allowed; ${LITERAL_HINT}`,
  },
  ArithmeticExpansion: {
    category: 'expansion',
    reason: (t) => `arithmetic expansion $((…)) in \`${t}\` is not allowed; compute the value yourself`,
  },
  AnsiCQuoted: {
    category: 'expansion',
    reason: (t) => `ANSI-C quoting $'…' in \`${t}\` is not allowed; use plain '…' quotes`,
  },
  LocaleString: {
    category: 'expansion',
    reason: (t) => `locale string $"…" in \`${t}\` is not allowed; use plain quotes`,
  },
  BraceExpansion: {
    category: 'expansion',
    reason: (t) => `brace expansion in \`${t}\` is not allowed; write each argument out`,
  },
  Glob: {
    category: 'glob',
    reason: (t) =>
      `glob \`${t}\` is not allowed; list the files explicitly, or quote the pattern when a tool takes it (find src -name '*.ts')`,
  },
  ExtendedGlob: { category: 'glob', reason: (t) => `extended glob \`${t}\` is not allowed; list the files explicitly` },
};

const LITERAL_PARTS = new Set(['Word', 'Literal', 'SingleQuoted', 'DoubleQuoted']);

/** First non-literal part anywhere inside the word (depth-first), as a denial. */
function partsDenial(word: Word, mode: WordMode): Denial | null {
  let found: Denial | null = null;
  const visit = (node: SyntaxNode): void => {
    if (found !== null) return;
    if (!LITERAL_PARTS.has(node.type) && !(mode === 'assignment' && node.type === 'Glob')) {
      const known = PART_CATEGORY[node.type];
      found = known
        ? deny(known.category, known.reason(word.text))
        : deny('expansion', `unsupported shell construct ${node.type} in \`${word.text}\``);
      return;
    }
    forEachChild(node, visit);
  };
  visit(word);
  return found;
}

/** Proves a parsed word is a plain literal and returns its dequoted value, or a denial. */
export function literalWord(word: Word, mode: WordMode = 'word'): { value: string } | Denial {
  const partDenial = partsDenial(word, mode);
  if (partDenial) return partDenial;
  const scanned = scanWord(word.text, mode);
  if (!scanned.ok) return { category: scanned.category, reason: scanned.reason };
  if (scanned.value !== word.value) {
    return deny(
      'parse_error',
      `the policy and the shell parser read \`${word.text}\` differently; simplify its quoting`,
    );
  }
  return { value: scanned.value };
}

export function isDenial(x: object): x is Denial {
  return 'category' in x;
}
