import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { openProjectStore, openRegistry } from '../../compose.js';
import { createFeatureTools, withMaskedArguments } from '../../mcp/feature-tools.js';
import { exportAcceptance } from '../../projects/acceptance-export.js';
import { answeredSecretsRedactor } from '../../projects/human-input.js';
import { createToolSession } from '../../mcp/tool-session.js';
import { resolveProject } from '../../projects/projects.js';
import { VERSION } from '../version.js';
import { AppError, errorMessage } from '../../domain/errors.js';
import type { CliContext } from '../context.js';

const HEARTBEAT_MS = 10_000;

/** mcp: serves the feature tools over stdio to any MCP client. */
export function registerMcpCommand(
  program: Command,
  ctx: CliContext,
  run: (fn: () => void | Promise<void>) => Promise<void>,
): void {
  program
    .command('mcp')
    .description('serve the feature tools over stdio (MCP) for any MCP client')
    .argument('<project>', 'registered name or path')
    .action((project: string) =>
      run(async () => {
        // The MCP SDK loads only for this command: every other command starts without it.
        const [{ StdioServerTransport }, { createFeatureMcpServer }] = await Promise.all([
          import('@modelcontextprotocol/sdk/server/stdio.js'),
          import('../../mcp/feature-server.js'),
        ]);
        const reg = openRegistry(ctx.env);
        let paths;
        try {
          paths = resolveProject(reg.registry, project, ctx.cwd).paths;
        } finally {
          reg.close();
        }
        const store = openProjectStore(paths, { create: false, env: ctx.env });
        const session = createToolSession(`mcp-${process.pid}-${randomBytes(4).toString('hex')}`);
        // Secrets humans answered never reach the database through a tool argument (as in runs).
        const tools = createFeatureTools({
          features: store.features,
          claims: store.claims,
          humanInput: store.humanInput,
          disputes: store.disputes,
          // New checks are exported at once (the project root is where an MCP client's agent reads them).
          acceptanceChanged: () => exportAcceptance(paths.root, store.features),
          session,
        }).map((t) => withMaskedArguments(t, () => answeredSecretsRedactor(store.humanInput, paths)));
        const server = createFeatureMcpServer(tools, VERSION);
        // This process holds the leases of the claims its client made, so it heartbeats them
        // and hands them back when the client goes away.
        const heartbeat = setInterval(() => {
          for (const claim of session.claims.values())
            if (!store.claims.heartbeat(claim)) session.claims.delete(claim.featureId);
        }, HEARTBEAT_MS);
        heartbeat.unref();
        const closed = new Promise<void>((resolve) => {
          server.server.onclose = () => resolve();
        });
        await server.connect(new StdioServerTransport());
        process.stdin.on('end', () => void server.close());
        await closed;
        clearInterval(heartbeat);
        for (const claim of session.claims.values()) {
          try {
            store.claims.release(claim, 'the MCP client disconnected');
          } catch (err: unknown) {
            // Already lost or settled (CLAIM_LOST): nothing to hand back. Anything else is worth a line on stderr
            // (stdout is the protocol).
            if (!(err instanceof AppError && err.code === 'CLAIM_LOST'))
              ctx.stderr(
                `autocoder mcp: could not hand feature #${claim.featureId} back (${errorMessage(err)}); its lease expires on its own.\n`,
              );
          }
        }
        store.close();
      }),
    );
}
