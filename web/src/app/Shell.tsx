import { useMemo, useState } from 'react';
import { Link, NavLink, Outlet, useNavigate } from 'react-router';
import { Dialog } from '../shared/ui/Dialog';
import { SHORTCUTS, useShortcuts } from '../shared/shortcuts';
import { useTheme } from './theme';

/** The frame of every page: brand, theme switch, shortcut help. */
export function Shell() {
  const [theme, toggleTheme] = useTheme();
  const [help, setHelp] = useState(false);
  const navigate = useNavigate();
  const handlers = useMemo(
    () => ({
      '?': () => setHelp((h) => !h),
      t: toggleTheme,
      'g p': () => void navigate('/'),
    }),
    [toggleTheme, navigate],
  );
  useShortcuts(handlers);
  return (
    <div className="flex min-h-full flex-col">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:border-2 focus:border-line focus:bg-panel focus:px-3 focus:py-2 focus:shadow-card"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-30 border-b-[3px] border-line bg-pop text-pop-ink">
        <div className="mx-auto flex h-14 max-w-[1600px] items-center gap-2 px-4 sm:gap-4">
          <Link to="/" className="flex items-center gap-2 font-display text-lg font-bold tracking-tight">
            <img src="/favicon.svg" alt="" width={30} height={30} className="rounded-md border-2 border-pop-ink" />
            <span>autocoder</span>
            <span className="hidden rounded-full border-2 border-pop-ink bg-panel px-2 text-xs font-semibold text-ink uppercase sm:inline">
              mission control
            </span>
          </Link>
          <div className="flex-1" />
          <NavLink
            to="/settings"
            className={({ isActive }) =>
              `rounded-lg border-2 px-2.5 py-1 text-sm font-semibold hover:-translate-px ${isActive ? 'border-pop-ink bg-panel text-ink shadow-[2px_2px_0_0_var(--color-pop-ink)]' : 'border-transparent text-pop-ink hover:border-pop-ink'}`
            }
          >
            Settings
          </NavLink>
          <button
            type="button"
            onClick={() => setHelp(true)}
            className="rounded-lg border-2 border-pop-ink bg-panel px-2.5 py-1 text-sm font-semibold text-ink shadow-[2px_2px_0_0_var(--color-pop-ink)] hover:-translate-px active:translate-0.5 active:shadow-none"
            aria-label="Keyboard shortcuts"
          >
            <kbd className="font-mono">?</kbd>
          </button>
          <button
            type="button"
            onClick={toggleTheme}
            className="whitespace-nowrap rounded-lg border-2 border-pop-ink bg-panel px-2.5 py-1 text-sm font-semibold text-ink shadow-[2px_2px_0_0_var(--color-pop-ink)] hover:-translate-px active:translate-0.5 active:shadow-none"
            aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
          >
            {theme === 'dark' ? '☀︎ Light' : '☾ Dark'}
          </button>
        </div>
      </header>
      <div id="main" className="flex min-h-0 flex-1 flex-col">
        <Outlet />
      </div>
      <Dialog open={help} onClose={() => setHelp(false)} title="Keyboard shortcuts">
        <table className="w-full text-sm">
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.keys} className="border-b border-line last:border-0">
                <td className="py-2 pr-4">
                  <kbd className="rounded border border-line bg-sunken px-1.5 py-0.5 font-mono text-xs">{s.keys}</kbd>
                </td>
                <td className="py-2">{s.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Dialog>
    </div>
  );
}
