import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

type Tone = 'info' | 'success' | 'error';
interface Toast {
  readonly id: number;
  readonly text: string;
  readonly tone: Tone;
}
const Ctx = createContext<(text: string, tone?: Tone) => void>(() => undefined);

/** Short notices in a polite live region; errors stay until dismissed. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const dismiss = useCallback((id: number) => setToasts((t) => t.filter((x) => x.id !== id)), []);
  const push = useCallback(
    (text: string, tone: Tone = 'info') => {
      const id = Date.now() + Math.random();
      setToasts((t) => [...t.slice(-4), { id, text, tone }]);
      if (tone !== 'error') setTimeout(() => dismiss(id), 4_000);
    },
    [dismiss],
  );
  const value = useMemo(() => push, [push]);
  const tone: Record<Tone, string> = {
    info: 'border-l-accent',
    success: 'border-l-st-passing',
    error: 'border-l-st-failed',
  };
  return (
    <Ctx.Provider value={value}>
      {children}
      <div aria-live="polite" className="pointer-events-none fixed right-4 bottom-4 z-50 flex w-80 flex-col gap-2">
        {toasts.map((t) => (
          <div
            key={t.id}
            role={t.tone === 'error' ? 'alert' : 'status'}
            className={`pointer-events-auto flex items-start gap-2 rounded-xl border border-l-8 border-line bg-panel px-4 py-3 text-sm shadow-card ${tone[t.tone]}`}
          >
            <span className="flex-1">{t.text}</span>
            <button
              type="button"
              className="text-muted hover:text-ink"
              aria-label="Dismiss"
              onClick={() => dismiss(t.id)}
            >
              ×
            </button>
          </div>
        ))}
      </div>
    </Ctx.Provider>
  );
}

export const useToast = () => useContext(Ctx);
