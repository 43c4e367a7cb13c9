import { useInfiniteQuery } from '@tanstack/react-query';
import { api, enc } from '../../shared/api/client';
import { TranscriptResponseSchema } from '@shared/api';
import { transcriptConversation, type ConversationItem } from '@shared/transcript-view';
import { Button } from '../../shared/ui/Button';
import { Dialog } from '../../shared/ui/Dialog';
import { Fold } from '../../shared/ui/Fold';
import { formatTime } from '../../shared/ui/format';
import { useProject } from '../../shared/project-context';

/** Longer texts than this (a prompt, a file's content) are cut in the view; the transcript file keeps them whole. */
const SHOWN_CHARS = 20_000;
const cut = (text: string) => (text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text);

function Folded({ text }: { text: string }) {
  return (
    <pre className="max-h-80 overflow-auto rounded-md border border-line bg-panel p-2 font-mono text-xs whitespace-pre-wrap">
      {cut(text)}
    </pre>
  );
}

const ROLE_NAME: Record<string, string> = {
  coding: 'coding agent',
  testing: 'testing agent',
  initializer: 'initializer',
  supervisor: 'supervisor',
  verifier: 'verifier',
  reviewer: 'reviewer',
  designer: 'design reviewer',
};

function Item({ item }: { item: ConversationItem }) {
  const time = item.at === null ? null : <span className="mr-2 text-xs text-muted">{formatTime(item.at)}</span>;
  switch (item.kind) {
    case 'prompt':
      return (
        <li data-kind="prompt" className="text-sm">
          {time}
          <Fold summary={`The ${ROLE_NAME[item.role] ?? item.role}’s instructions`} className="text-muted">
            {() => <Folded text={item.text} />}
          </Fold>
        </li>
      );
    case 'started':
      return (
        <li data-kind="started" className="text-sm text-muted">
          {time}Session started on {item.model}
        </li>
      );
    case 'message':
      return (
        <li data-kind="message" className="rounded-xl bg-sunken p-3 text-sm">
          <p className="mb-1 text-xs font-semibold text-muted">{time}Agent</p>
          <p className="whitespace-pre-wrap">{cut(item.text)}</p>
        </li>
      );
    case 'tool':
      return (
        <li data-kind="tool" className="font-mono text-xs">
          {time}
          <Fold summary={item.line} className="text-accent">
            {() => <Folded text={item.input || '(no input recorded)'} />}
          </Fold>
          {item.result ? (
            <div className="pl-6">
              <Fold summary={`↳ ${item.result.line}`} className={item.result.isError ? 'text-st-failed' : 'text-muted'}>
                {() => <Folded text={item.result!.text || '(no output)'} />}
              </Fold>
            </div>
          ) : null}
        </li>
      );
    case 'notice':
      return (
        <li data-kind="notice" className={`text-sm ${item.tone === 'warn' ? 'text-st-input' : 'text-muted'}`}>
          {time}
          {item.text}
        </li>
      );
    case 'finished':
      return (
        <li data-kind="finished" className={`text-sm font-semibold ${item.ok ? 'text-st-passing' : 'text-st-failed'}`}>
          {time}
          {item.text}
        </li>
      );
    case 'other':
      return (
        <li data-kind="other" className="text-xs">
          {time}
          <Fold summary={item.label} className="text-muted">
            {() => <Folded text={item.detail} />}
          </Fold>
        </li>
      );
  }
}

/** A session's transcript as a conversation (messages, tool calls as one line, results folded), paged. */
export function TranscriptDialog({ sessionId, onClose }: { sessionId: string; onClose: () => void }) {
  const { name } = useProject();
  const pages = useInfiniteQuery({
    queryKey: ['project', name, 'transcript', sessionId],
    initialPageParam: 0,
    queryFn: ({ pageParam }) =>
      api(
        TranscriptResponseSchema,
        'GET',
        `/api/projects/${enc(name)}/sessions/${enc(sessionId)}/transcript?offset=${pageParam}&limit=500`,
      ),
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const items = transcriptConversation(pages.data?.pages.flatMap((p) => p.entries) ?? []);
  return (
    <Dialog open wide onClose={onClose} title={`Transcript ${sessionId.slice(0, 8)}`}>
      {pages.error ? (
        <p role="alert" className="text-st-failed">
          {pages.error.message}
        </p>
      ) : null}
      <ol aria-label="Conversation" className="space-y-2">
        {items.map((item, i) => (
          <Item key={i} item={item} />
        ))}
      </ol>
      {pages.hasNextPage ? (
        <Button className="mt-3" onClick={() => void pages.fetchNextPage()}>
          Load more
        </Button>
      ) : null}
    </Dialog>
  );
}
