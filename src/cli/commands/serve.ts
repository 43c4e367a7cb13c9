import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { AppError } from '../../domain/errors.js';
import { type RunningServer, startServer, tokenFile } from '../../server/http-server.js';
import type { CliContext } from '../context.js';
import { specChatStarter } from './spec.js';

export const parsePort = (raw: string) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new AppError('INVALID_INPUT', `--port must be a port number (0-65535; 0 picks a free one), not "${raw}"`);
  return n;
};

/** Opens the URL in the desktop browser when a opener exists; failure is silent (the URL is printed anyway). */
function openBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? null : 'xdg-open';
  if (opener === null) return;
  try {
    const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No opener: the printed URL is enough.
  }
}

/** Starts the server, turning the usual bind failures into errors that say what to do. */
export async function listen(ctx: CliContext, host: string, port: number): Promise<RunningServer> {
  try {
    return await startServer({ env: ctx.env, cwd: ctx.cwd, host, port, specChat: specChatStarter(ctx.env) });
  } catch (err: unknown) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new AppError('CONFLICT', `port ${port} on ${host} is in use; choose another with --port (0 picks a free one)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new AppError('INVALID_INPUT', `cannot bind to ${host}: not an address of this machine`);
    throw err;
  }
}

/** Serves until SIGINT or SIGTERM, then closes the server. */
export async function closeOnSignal(ctx: CliContext, server: RunningServer): Promise<void> {
  await new Promise<void>((resolveStop) => {
    const stop = (sig: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      ctx.stderr(`${sig}: closing the server…\n`);
      void server.close().then(resolveStop);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** serve: the web UI, REST API and live WebSocket until Ctrl+C. */
export function registerServeCommand(program: Command, ctx: CliContext, run: (fn: () => void | Promise<void>) => Promise<void>): void {
  program
    .command('serve')
    .description('start the web UI and API server (bound to 127.0.0.1 unless --host is given; other hosts require the server token)')
    .option('--port <port>', 'port to listen on (0 picks a free one)', parsePort, 8888)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--open', 'open the UI in the browser')
    .action((opts: { port: number; host: string; open?: boolean }) =>
      run(async () => {
        const server = await listen(ctx, opts.host, opts.port);
        ctx.stdout(`autocoder server listening on ${server.url}\n`);
        if (server.token !== null) {
          if (server.tokenCreated) {
            ctx.stdout(`Server token (created now, shown once; stored in ${tokenFile(ctx.env)}):\n  ${server.token}\n`);
            ctx.stdout(`Open the web UI with it once (the page keeps it): ${server.url.replace(/\/$/, '')}/#token=${server.token}\n`);
          } else {
            ctx.stdout(`Clients must send the server token from ${tokenFile(ctx.env)} as "Authorization: Bearer <token>"; the web UI asks for it once.\n`);
          }
        }
        if (opts.open === true) openBrowser(server.url);
        await closeOnSignal(ctx, server);
      }),
    );
}
