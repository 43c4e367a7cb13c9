import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { endpoints, keys } from '../../shared/api/endpoints';
import { dataUrl, useNearViewport } from '../../shared/api/evidence';
import { Dialog } from '../../shared/ui/Dialog';

/** Which screenshot of which iteration: `file` is relative to the iteration folder (`screenshots/…png`). */
export interface ShotRef {
  readonly project: string;
  readonly n: number;
  readonly file: string;
}

/**
 * A screenshot as a `data:` URL, fetched with the server token only once `load` is true (a page cannot put the token
 * on an `<img src>`, and the CSP allows `data:` images). Screenshots never change once written: fetched once a page.
 */
function useShotUrl(ref: ShotRef, load: boolean): { url: string | null; error: Error | null } {
  const file = useQuery({
    queryKey: [...keys.designFile(ref.project, ref.n, ref.file), 'data-url'],
    queryFn: async () => dataUrl(await endpoints.designFile(ref.project, ref.n, ref.file)),
    enabled: load,
    staleTime: Infinity,
    gcTime: 10 * 60_000,
  });
  return { url: file.data ?? null, error: file.error };
}

/** The screenshot, lazily loaded; a placeholder that says why until it is there. */
export function ShotPicture({ shot, alt, className = '' }: { shot: ShotRef; alt: string; className?: string }) {
  const box = useRef<HTMLSpanElement>(null);
  const near = useNearViewport(box);
  const { url, error } = useShotUrl(shot, near);
  return (
    <span ref={box} className={`block overflow-hidden bg-sunken ${className}`}>
      {url ? (
        <img src={url} alt={alt} loading="lazy" decoding="async" data-shot={shot.file} className="h-auto w-full" />
      ) : (
        <span
          role="img"
          aria-label={error ? `${alt} (cannot be loaded: ${error.message})` : `${alt} (loading)`}
          className="block h-40"
        />
      )}
    </span>
  );
}

/** A thumbnail (the top of the page) that opens the whole screenshot in a dialog; Escape or Close shuts it. */
export function ShotThumbnail({ shot, alt, caption }: { shot: ShotRef; alt: string; caption: string }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);
  // The modal dialog leaves the page when it closes (the page is inert until then): the focus then goes back to the
  // thumbnail that opened it.
  useEffect(() => {
    if (wasOpen.current && !open) button.current?.focus();
    wasOpen.current = open;
  }, [open]);
  const close = () => setOpen(false);
  return (
    <>
      <button
        ref={button}
        type="button"
        onClick={() => setOpen(true)}
        aria-label={`Enlarge: ${alt}`}
        className="block w-full overflow-hidden rounded-lg border border-line text-left hover:border-accent focus-visible:outline-2 focus-visible:outline-accent"
      >
        <ShotPicture shot={shot} alt={alt} className="max-h-48" />
      </button>
      <Dialog open={open} onClose={close} title={caption} wide>
        <ShotPicture shot={shot} alt={alt} />
      </Dialog>
    </>
  );
}
