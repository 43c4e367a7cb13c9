import { useEffect, useReducer, useRef, useState } from 'react';
import { WS_TOKEN_PROTOCOL_PREFIX } from '@shared/events';
import { DEMO_MODEL, DEMO_MODEL_LABEL } from '@shared/runs';
import { SpecChatServerMessageSchema, type SpecChatClientMessage } from '@shared/spec-chat';
import { serverToken } from '../api/token';
import { Button } from '../ui/Button';
import { inputClass } from '../ui/Field';
import { initialSpecChat, reduceSpecChat } from './spec-chat-state';

/**
 * The guided spec chat (`WS /ws/projects/:name/spec`): Claude asks about one topic at a time,
 * its answers stream in, and it saves the app spec once it validates. Unmounting closes the
 * socket, which ends the session.
 */
export function SpecChatPanel({ project, onWritten }: { project: string; onWritten?: () => void }) {
  const [state, dispatch] = useReducer(reduceSpecChat, initialSpecChat);
  const [draft, setDraft] = useState('');
  const socket = useRef<WebSocket | null>(null);
  const list = useRef<HTMLOListElement>(null);
  const onWrittenRef = useRef(onWritten);
  onWrittenRef.current = onWritten;

  useEffect(() => {
    const origin = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}`;
    const token = serverToken();
    const ws = new WebSocket(
      `${origin}/ws/projects/${encodeURIComponent(project)}/spec`,
      token ? [`${WS_TOKEN_PROTOCOL_PREFIX}${token}`] : [],
    );
    socket.current = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'start' } satisfies SpecChatClientMessage));
    ws.onmessage = (e: MessageEvent) => {
      if (typeof e.data !== 'string') return;
      let raw: unknown;
      try {
        raw = JSON.parse(e.data);
      } catch {
        return;
      }
      const parsed = SpecChatServerMessageSchema.safeParse(raw);
      if (!parsed.success) return;
      dispatch(parsed.data);
      if (parsed.data.type === 'spec_written') onWrittenRef.current?.();
    };
    ws.onclose = () => dispatch({ type: 'closed' });
    return () => {
      socket.current = null;
      ws.close();
    };
  }, [project]);

  useEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [state.lines.length, state.streaming]);

  const send = (message: SpecChatClientMessage) => socket.current?.send(JSON.stringify(message));
  const submit = () => {
    const text = draft.trim();
    if (!text || state.phase !== 'waiting') return;
    send({ type: 'user', text });
    setDraft('');
  };
  const status =
    state.phase === 'connecting'
      ? 'Connecting…'
      : state.phase === 'thinking'
        ? 'Claude is writing…'
        : state.phase === 'waiting'
          ? 'Your turn'
          : state.written
            ? 'Done'
            : 'The chat has ended';

  return (
    <section aria-label="Spec chat" className="flex flex-col gap-3">
      <ol
        ref={list}
        tabIndex={0}
        aria-label="Conversation"
        aria-live="polite"
        className="flex max-h-96 min-h-48 flex-col gap-2 overflow-y-auto rounded-lg border border-line bg-sunken p-3 text-sm"
      >
        {state.lines.map((line, i) => (
          <li
            key={i}
            className={
              line.role === 'user'
                ? 'max-w-[85%] self-end whitespace-pre-wrap rounded-lg bg-accent px-3 py-2 text-accent-ink'
                : line.role === 'note'
                  ? 'self-center text-xs text-muted'
                  : 'max-w-[85%] self-start whitespace-pre-wrap rounded-lg bg-panel px-3 py-2 shadow-sm'
            }
          >
            {line.role === 'user' ? (
              <span className="sr-only">You: </span>
            ) : line.role === 'assistant' ? (
              <span className="sr-only">Claude: </span>
            ) : null}
            {line.text}
          </li>
        ))}
        {state.streaming ? (
          <li className="max-w-[85%] self-start whitespace-pre-wrap rounded-lg bg-panel px-3 py-2 shadow-sm">
            {state.streaming}
          </li>
        ) : null}
      </ol>
      <p className="flex justify-between gap-2 text-xs text-muted">
        <span aria-live="polite">{status}</span>
        {state.model ? <span>Model: {state.model === DEMO_MODEL ? DEMO_MODEL_LABEL : state.model}</span> : null}
      </p>
      {state.written ? (
        <p role="status" className="rounded-lg bg-st-passing-bg px-3 py-2 text-sm text-st-passing">
          Spec saved{state.written.featureCount !== null ? ` — about ${state.written.featureCount} features` : ''}.{' '}
          <span className="font-mono text-xs">{state.written.path}</span>
        </p>
      ) : null}
      {state.error ? (
        <p role="alert" className="rounded-lg bg-st-failed-bg px-3 py-2 text-sm text-st-failed">
          {state.error}
        </p>
      ) : null}
      {state.phase !== 'ended' ? (
        <form
          className="flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <textarea
            aria-label="Your answer"
            rows={2}
            className={`${inputClass} flex-1`}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                submit();
              }
            }}
            placeholder="Type your answer; Enter sends, Shift+Enter adds a line"
          />
          <Button variant="primary" type="submit" disabled={state.phase !== 'waiting' || draft.trim() === ''}>
            Send
          </Button>
          <Button onClick={() => send({ type: 'done' })}>Stop</Button>
        </form>
      ) : null}
    </section>
  );
}
