/** The problems the server found in an app spec, by line, as one alert. */
export function SpecProblems({
  problems,
  heading = false,
}: {
  problems: readonly { line: number; message: string }[];
  heading?: boolean;
}) {
  if (problems.length === 0) return null;
  return (
    <div role="alert" className="rounded-lg bg-st-failed-bg p-3 text-sm text-st-failed">
      {heading ? (
        <p className="font-semibold">
          The app spec has {problems.length} problem{problems.length === 1 ? '' : 's'}:
        </p>
      ) : null}
      <ul className={`list-disc pl-5 ${heading ? 'mt-1' : ''}`}>
        {problems.map((p, i) => (
          <li key={i}>
            line {p.line}: {p.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** `<option>`s for the whole numbers from..to (agent counts). */
export function NumberOptions({ from, to }: { from: number; to: number }) {
  return (
    <>
      {Array.from({ length: to - from + 1 }, (_, i) => from + i).map((n) => (
        <option key={n} value={n}>
          {n}
        </option>
      ))}
    </>
  );
}
