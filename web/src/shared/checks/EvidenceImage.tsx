import { useRef } from 'react';
import { useEvidenceUrl, useNearViewport, type EvidenceRef } from '../api/evidence';

/**
 * A screenshot from a verification's evidence, fetched with the server token once it comes near
 * the viewport (lazy), shown from a blob URL. Until then (or when it cannot be loaded) a
 * placeholder of the same size keeps the layout still.
 */
export function EvidenceImage({
  evidence,
  alt,
  className = '',
}: {
  evidence: EvidenceRef;
  alt: string;
  className?: string;
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
          loading="lazy"
          decoding="async"
          data-evidence={evidence.file}
          className="h-full w-full object-cover object-top"
        />
      ) : (
        <span role="img" aria-label={error ? `${alt} (cannot be loaded: ${error.message})` : `${alt} (loading)`} />
      )}
    </span>
  );
}
