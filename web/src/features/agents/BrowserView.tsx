import { useEffect, useState } from 'react';
import { BROWSER_VIEW_EVENTS, type BrowserFrame, type BrowserViewState } from '@shared/browser-view';
import { apiStream, enc, errorMessage } from '../../shared/api/client';
import { formatTime } from '../../shared/ui/format';
import { createSseParser } from './sse';

const STATE_TEXT: Record<BrowserViewState | 'connecting', string> = {
  connecting: 'Connecting…',
  waiting: 'The agent has no browser open yet; its page shows here when it opens one.',
  watching: 'Live: what the agent’s browser shows, at most once a second.',
  ended: 'The session has ended; its browser is closed.',
};

function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null; // not JSON: the schema check then skips it
  }
}

/** Reads the live view stream of `sessionId` until `signal` aborts; each message goes to its handler. */
async function readStream(
  path: string,
  signal: AbortSignal,
  on: { frame: (f: BrowserFrame) => void; state: (s: BrowserViewState) => void },
): Promise<void> {
  const body = await apiStream(path, signal);
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parse = createSseParser();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    for (const e of parse(decoder.decode(value, { stream: true }))) {
      // Every message is checked with the server's own schema: a malformed one is skipped, never shown.
      if (e.event === 'frame') {
        const frame = BROWSER_VIEW_EVENTS.frame.safeParse(jsonOrNull(e.data));
        if (frame.success) on.frame(frame.data);
      } else if (e.event === 'status') {
        const status = BROWSER_VIEW_EVENTS.status.safeParse(jsonOrNull(e.data));
        if (status.success) on.state(status.data.state);
      }
    }
  }
}

/**
 * The page an agent's browser shows, live (`GET …/sessions/{id}/browser`). Mounted only while someone watches: the
 * server captures while at least one view is open, and stops when the last one closes (unmount aborts the stream).
 */
export function BrowserView({
  id,
  project,
  sessionId,
  agentName,
}: {
  id: string;
  project: string;
  sessionId: string;
  agentName: string;
}) {
  const [state, setState] = useState<BrowserViewState | 'connecting'>('connecting');
  const [frame, setFrame] = useState<BrowserFrame | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    setState('connecting');
    setFrame(null);
    setError(null);
    readStream(`/api/projects/${enc(project)}/sessions/${enc(sessionId)}/browser`, abort.signal, {
      frame: setFrame,
      state: (s) => {
        setState(s);
        if (s !== 'watching') setFrame(null);
      },
    }).catch((err: unknown) => {
      if (!abort.signal.aborted) setError(errorMessage(err));
    });
    return () => abort.abort();
  }, [project, sessionId]);
  return (
    <figure id={id} data-testid="browser-view" data-state={state} className="flex flex-col gap-1.5">
      {frame ? (
        <img
          src={`data:image/jpeg;base64,${frame.image}`}
          width={frame.width}
          height={frame.height}
          alt={`${agentName}'s browser: ${frame.title || 'a page without a title'} at ${frame.url}`}
          className="h-auto w-full rounded-lg border border-line bg-sunken"
        />
      ) : (
        <div className="flex aspect-video items-center justify-center rounded-lg border border-dashed border-line bg-sunken p-4 text-center text-sm text-muted">
          {error ?? STATE_TEXT[state]}
        </div>
      )}
      <figcaption className="flex flex-wrap items-center gap-x-2 text-xs text-muted">
        {/* State changes are announced; frames are not (one a second would drown a screen reader). */}
        <span role="status" className="flex items-center gap-1.5">
          {state === 'watching' ? (
            <span
              aria-hidden="true"
              className="inline-block size-2 rounded-full bg-st-failed motion-safe:animate-pulse"
            />
          ) : null}
          {error ? `Cannot show the browser: ${error}` : state === 'watching' ? 'Live' : STATE_TEXT[state]}
        </span>
        {frame ? (
          <>
            <span className="min-w-0 truncate font-mono" title={frame.url}>
              {frame.url}
            </span>
            <span>updated {formatTime(frame.at)}</span>
          </>
        ) : null}
      </figcaption>
    </figure>
  );
}
