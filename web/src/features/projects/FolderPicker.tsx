import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { endpoints } from '../../shared/api/endpoints';
import { Button } from '../../shared/ui/Button';

/** Browse folders through the server's filesystem API (names only; secret folders hidden). */
export function FolderPicker({ onPick, onCancel }: { onPick: (path: string) => void; onCancel: () => void }) {
  const [path, setPath] = useState<string | undefined>(undefined);
  const list = useQuery({ queryKey: ['fs', path ?? ''], queryFn: () => endpoints.listFolder(path) });
  const dirs = list.data?.entries.filter((e) => e.isDir) ?? [];
  return (
    <div className="flex flex-col gap-2 rounded-xl border border-line bg-sunken p-3" data-testid="folder-picker">
      <div className="flex items-center gap-2">
        <Button
          variant="ghost"
          disabled={!list.data?.parent}
          onClick={() => setPath(list.data?.parent ?? undefined)}
          aria-label="Up one folder"
        >
          ↑
        </Button>
        <code className="min-w-0 flex-1 truncate text-xs" title={list.data?.path}>
          {list.data?.path ?? '…'}
        </code>
      </div>
      {list.error ? (
        <p role="alert" className="text-sm text-st-failed">
          {list.error.message}
        </p>
      ) : null}
      <ul className="max-h-56 overflow-y-auto rounded-lg bg-panel text-sm" aria-label="Folders">
        {dirs.length === 0 && list.data ? <li className="px-3 py-2 text-muted">No sub-folders</li> : null}
        {dirs.map((d) => (
          <li key={d.name}>
            <button
              type="button"
              className="w-full px-3 py-1.5 text-left hover:bg-sunken"
              onClick={() => setPath(`${list.data!.path.replace(/\/$/, '')}/${d.name}`)}
            >
              📁 {d.name}
            </button>
          </li>
        ))}
      </ul>
      <div className="flex justify-end gap-2">
        <Button onClick={onCancel}>Cancel</Button>
        <Button variant="primary" disabled={!list.data} onClick={() => list.data && onPick(list.data.path)}>
          Use this folder
        </Button>
      </div>
    </div>
  );
}
