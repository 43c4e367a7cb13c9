/**
 * Reads "when may we try again" out of a provider's limit message. Claude Code reports a
 * subscription usage limit as text such as `Claude AI usage limit reached|1767225600` or
 * "…limit will reset at 3pm (Europe/Berlin)"; API answers carry "retry after N seconds".
 * Returns a time in ms since the epoch, or null when the text is not a limit message.
 */
export function parseLimitReset(text: string, now: number): number | null {
  const epoch = /usage limit reached\|(\d{9,13})/i.exec(text);
  if (epoch?.[1]) {
    const n = Number(epoch[1]);
    return n < 1e12 ? n * 1000 : n;
  }
  if (!/(rate|usage) limit|too many requests|\b429\b|quota/i.test(text)) return null;
  const after = /(?:retry[- ]after[:\s]+|try again in )(\d+)\s*(s|secs?|seconds?|m|mins?|minutes?|h|hours?)?\b/i.exec(
    text,
  );
  if (after?.[1]) return now + Number(after[1]) * unitMs(after[2]);
  const clock = /resets?(?: at)? (\d{1,2})(?::(\d{2}))?\s*(am|pm)/i.exec(text);
  if (clock?.[1] && clock[3]) {
    let hour = Number(clock[1]) % 12;
    if (clock[3].toLowerCase() === 'pm') hour += 12;
    const at = new Date(now);
    at.setHours(hour, Number(clock[2] ?? 0), 0, 0);
    if (at.getTime() <= now) at.setDate(at.getDate() + 1);
    return at.getTime();
  }
  // A limit without a stated reset time: the caller applies its own bounded backoff.
  return now;
}

function unitMs(unit: string | undefined): number {
  const u = (unit ?? 's').toLowerCase();
  if (u.startsWith('h')) return 3_600_000;
  if (u.startsWith('m')) return 60_000;
  return 1000;
}
