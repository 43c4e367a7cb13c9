import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type RefObject } from 'react';
import { saveBlob } from './download';
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
 * An evidence file as a `data:` URL (the page's CSP lets images come from the server or `data:`, not `blob:`),
 * fetched with the server token only when `load` is true. Files never change once written, so each is fetched once
 * per page.
 */
export function useEvidenceUrl(ref: EvidenceRef, load: boolean): { url: string | null; error: Error | null } {
  const file = useQuery({
    queryKey: [...keys.evidenceFile(ref.project, ref.featureId, ref.verificationId, ref.file), 'data-url'],
    queryFn: async () =>
      dataUrl(await endpoints.evidenceFile(ref.project, ref.featureId, ref.verificationId, ref.file)),
    enabled: load,
    staleTime: Infinity,
    gcTime: 10 * 60_000,
  });
  return { url: file.data ?? null, error: file.error };
}

/** The bytes of `blob` as a `data:` URL of its content type. */
export async function dataUrl(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:${blob.type || 'application/octet-stream'};base64,${btoa(binary)}`;
}

/** Fetches an evidence file and saves it under its own name (a trace zip, `result.json`). */
export async function downloadEvidence(ref: EvidenceRef): Promise<void> {
  const blob = await endpoints.evidenceFile(ref.project, ref.featureId, ref.verificationId, ref.file);
  saveBlob(blob, `feature-${ref.featureId}-${ref.verificationId}-${ref.file.replace(/\//g, '-')}`);
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
