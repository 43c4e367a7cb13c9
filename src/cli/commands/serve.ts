import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { AppError } from '../../domain/errors.js';
import type { Logger, LogLevel } from '../../logging/logger.js';
import type { RunningServer } from '../../server/http-server.js';
import { tokenFile } from '../../server/server-token.js';
import type { CliContext } from '../context.js';
import { ensureWebUi, PACKAGE_ROOT } from '../ensure-ui.js';
import { logLevelOption, serverLogger } from '../logging.js';
import { specChatStarter } from './spec.js';

export const parsePort = (raw: string) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new AppError('INVALID_INPUT', `--port must be a port number (0-65535; 0 picks a free one), not "${raw}"`);
  return n;
};

/**
 * Opens the URL in the desktop browser when an opener exists; failing is logged at debug only (the URL is printed
 * anyway).
 */
function openBrowser(url: string, logger: Logger): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? null : 'xdg-open';
  if (opener === null) return;
  const failed = (err: unknown) =>
    logger.debug({ err, opener }, 'could not open the browser; the printed link works as well');
  try {
    const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
    child.on('error', failed);
    child.unref();
  } catch (err: unknown) {
    failed(err);
  }
}

/**
 * Starts the server (building the web UI first when it is missing), turning the usual bind failures into errors that
 * say what to do.
 */
export async function listen(ctx: CliContext, host: string, port: number, logger: Logger): Promise<RunningServer> {
  // The server (Hono, ws, the routes) loads only for the commands that serve: the others start without it.
  const { startServer } = await import('../../server/http-server.js');
  // `npx autocoder serve` (and `demo`) right after `npm ci`: the UI is built first, as `npm start` would.
  await ensureWebUi(PACKAGE_ROOT, ctx.stderr);
  try {
    return await startServer({ env: ctx.env, cwd: ctx.cwd, host, port, specChat: specChatStarter(ctx.env), logger });
  } catch (err: unknown) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new AppError(
        'CONFLICT',
        `port ${port} on ${host} is in use; choose another with --port (0 picks a free one)`,
      );
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new AppError('INVALID_INPUT', `cannot bind to ${host}: not an address of this machine`);
    throw err;
  }
}

/**
 * What every start prints: the address with the token in its fragment (the page keeps it for
 * the tab and drops it from the address bar), where the token is kept, and how other clients
 * send it. Printed at every start, not only the first, since loopback needs the token too.
 */
export function printOpenLink(ctx: CliContext, server: RunningServer): void {
  ctx.stdout(`Open the web UI: ${server.uiUrl}\n`);
  ctx.stdout(
    `API clients send "Authorization: Bearer <token>" with the token from ${tokenFile(ctx.env)}${server.tokenCreated ? ' (created now, mode 0600)' : ''}.\n`,
  );
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
export function registerServeCommand(
  program: Command,
  ctx: CliContext,
  run: (fn: () => void | Promise<void>) => Promise<void>,
): void {
  program
    .command('serve')
    .description(
      'start the web UI and API server (bound to 127.0.0.1 unless --host is given); every API and WebSocket request needs the server token, printed in the UI link at every start',
    )
    .option('--port <port>', 'port to listen on (0 picks a free one)', parsePort, 8888)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--open', 'open the UI (with its token link) in the browser')
    .addOption(logLevelOption('the server (to stderr: every failed request with its cause, every request at debug)'))
    .action((opts: { port: number; host: string; open?: boolean; logLevel: LogLevel }) =>
      run(async () => {
        const logger = serverLogger(ctx, opts.logLevel);
        const server = await listen(ctx, opts.host, opts.port, logger);
        logger.info({ url: server.url, host: opts.host, port: server.port }, 'server listening');
        ctx.stdout(`autocoder server listening on ${server.url}\n`);
        printOpenLink(ctx, server);
        if (opts.open === true) openBrowser(server.uiUrl, logger);
        await closeOnSignal(ctx, server);
      }),
    );
}
