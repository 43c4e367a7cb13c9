import type { ButtonHTMLAttributes } from 'react';

type Variant = 'primary' | 'secondary' | 'danger' | 'ghost';
/**
 * Solid variants are blocks with an ink border and a hard offset shadow that press in when clicked (the shadow and
 * the nudge go together, so the button seems to move into its shadow); ghost buttons stay flat.
 */
const solid =
  'border-line shadow-sm hover:-translate-x-px hover:-translate-y-px hover:shadow-card active:translate-x-0.5 active:translate-y-0.5 active:shadow-none disabled:translate-0 disabled:shadow-sm';
const styles: Record<Variant, string> = {
  primary: `bg-accent text-accent-ink ${solid}`,
  secondary: `bg-panel text-ink hover:bg-pop hover:text-pop-ink ${solid}`,
  danger: `bg-st-failed text-white dark:text-bg ${solid}`,
  ghost: 'bg-transparent text-ink border-transparent hover:bg-sunken',
};

export function Button({
  variant = 'secondary',
  className = '',
  type = 'button',
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant }) {
  return (
    <button
      type={type}
      className={`inline-flex items-center justify-center gap-1.5 rounded-lg border px-3 py-1.5 text-sm font-semibold transition disabled:cursor-not-allowed disabled:opacity-50 ${styles[variant]} ${className}`}
      {...rest}
    />
  );
}
