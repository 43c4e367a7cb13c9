import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type RefObject } from 'react';
import { endpoints, keys } from './endpoints';

/** Which evidence file of which verification. */
export interface EvidenceRef {
  readonly project: string;
  readonly featureId: number;
  readonly verificationId: string;
  readonly file: string;
}

/**
 * Whether `ref`'s element has come near the viewport (once true, it stays true): what "lazy" means for files that
 * must be fetched with the token. Without IntersectionObserver (jsdom) everything counts as visible.
 */
export function useNearViewport(ref: RefObject<Element | null>, enabled = true): boolean {
  const [near, setNear] = useState(() => typeof IntersectionObserver === 'undefined');
  useEffect(() => {
    const el = ref.current;
    if (near || !enabled || !el) return;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          setNear(true);
          io.disconnect();
        }
      },
      { rootMargin: '200px' },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [ref, near, enabled]);
  return near;
}

/**
 * An evidence file as a blob URL, fetched (with the server token) only when `load` is true; the URL is revoked when
 * the component goes. Files never change once written, so a blob is fetched once per page.
 */
export function useEvidenceUrl(ref: EvidenceRef, load: boolean): { url: string | null; error: Error | null } {
  const file = useQuery({
    queryKey: keys.evidenceFile(ref.project, ref.featureId, ref.verificationId, ref.file),
    queryFn: () => endpoints.evidenceFile(ref.project, ref.featureId, ref.verificationId, ref.file),
    enabled: load,
    staleTime: Infinity,
    gcTime: 10 * 60_000,
  });
  const [url, setUrl] = useState<string | null>(null);
  const blob = file.data;
  useEffect(() => {
    if (!blob) return;
    const u = URL.createObjectURL(blob);
    setUrl(u);
    return () => {
      URL.revokeObjectURL(u);
      setUrl(null);
    };
  }, [blob]);
  return { url, error: file.error };
}

/** Fetches an evidence file and saves it under its own name (a trace zip, `result.json`). */
export async function downloadEvidence(ref: EvidenceRef): Promise<void> {
  const blob = await endpoints.evidenceFile(ref.project, ref.featureId, ref.verificationId, ref.file);
  const url = URL.createObjectURL(blob);
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = `feature-${ref.featureId}-${ref.verificationId}-${ref.file.replace(/\//g, '-')}`;
    document.body.append(a);
    a.click();
    a.remove();
  } finally {
    // The click has handed the URL to the download; revoking later lets it start first.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

/** A text evidence file (the app log), fetched when `load` is true. */
export function useEvidenceText(ref: EvidenceRef, load: boolean) {
  return useQuery({
    queryKey: [...keys.evidenceFile(ref.project, ref.featureId, ref.verificationId, ref.file), 'text'],
    queryFn: async () =>
      (await endpoints.evidenceFile(ref.project, ref.featureId, ref.verificationId, ref.file)).text(),
    enabled: load,
    staleTime: Infinity,
  });
}
