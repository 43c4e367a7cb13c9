import { useInfiniteQuery } from '@tanstack/react-query';
import { api, enc } from '../../shared/api/client';
import { TranscriptResponseSchema } from '@shared/api';
import { Button } from '../../shared/ui/Button';
import { Dialog } from '../../shared/ui/Dialog';
import { formatTime } from '../../shared/ui/format';
import { useProject } from '../../shared/project-context';

function summary(entry: Record<string, unknown>): { kind: string; text: string } {
  const kind =
    typeof entry['type'] === 'string' ? entry['type'] : typeof entry['kind'] === 'string' ? entry['kind'] : 'entry';
  const { at: _at, type: _type, ...rest } = entry;
  const text = typeof rest['text'] === 'string' ? rest['text'] : JSON.stringify(rest, null, 1);
  return { kind, text };
}

/** A session's transcript, paged. */
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
  const entries = pages.data?.pages.flatMap((p) => p.entries) ?? [];
  return (
    <Dialog open wide onClose={onClose} title={`Transcript ${sessionId.slice(0, 8)}`}>
      {pages.error ? (
        <p role="alert" className="text-st-failed">
          {pages.error.message}
        </p>
      ) : null}
      <ol className="space-y-1.5 font-mono text-xs">
        {entries.map((e, i) => {
          const s = summary(e);
          return (
            <li key={i} className="rounded bg-sunken p-2">
              <span className="mr-2 text-muted">{typeof e['at'] === 'number' ? formatTime(e['at']) : ''}</span>
              <span className="mr-2 font-semibold text-accent">{s.kind}</span>
              <span className="break-words whitespace-pre-wrap">
                {s.text.length > 4000 ? `${s.text.slice(0, 4000)}…` : s.text}
              </span>
            </li>
          );
        })}
      </ol>
      {pages.hasNextPage ? (
        <Button className="mt-3" onClick={() => void pages.fetchNextPage()}>
          Load more
        </Button>
      ) : null}
    </Dialog>
  );
}
