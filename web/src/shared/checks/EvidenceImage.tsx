import { useRef } from 'react';
import { useEvidenceUrl, useNearViewport, type EvidenceRef } from '../api/evidence';

/**
 * A screenshot from a verification's evidence, fetched with the server token once it comes near
 * the viewport (lazy), shown from a `data:` URL. Until then (or when it cannot be loaded) a
 * placeholder of the same size keeps the layout still.
 */
export function EvidenceImage({
  evidence,
  alt,
  className = '',
  zoom = 1,
}: {
  evidence: EvidenceRef;
  alt: string;
  className?: string;
  /**
   * Shows the top middle of the page this many times larger (a card's thumbnail: a whole page at 64 px wide is a
   * white box; the top middle is where most pages put what they are about).
   */
  zoom?: number;
}) {
  const box = useRef<HTMLSpanElement>(null);
  const near = useNearViewport(box);
  const { url, error } = useEvidenceUrl(evidence, near);
  return (
    <span ref={box} className={`block overflow-hidden bg-sunken ${className}`}>
      {url ? (
        <img
          src={url}
          alt={alt}
          decoding="async"
          data-evidence={evidence.file}
          className={zoom === 1 ? 'h-full w-full object-cover object-top' : 'h-auto max-w-none'}
          style={zoom === 1 ? undefined : { width: `${zoom * 100}%`, marginLeft: `${(-(zoom - 1) / 2) * 100}%` }}
        />
      ) : (
        <span role="img" aria-label={error ? `${alt} (cannot be loaded: ${error.message})` : `${alt} (loading)`} />
      )}
    </span>
  );
}
