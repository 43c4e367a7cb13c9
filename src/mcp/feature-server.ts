import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { FeatureTool } from './feature-tools.js';

export const FEATURE_SERVER_NAME = 'features';

/** Mounts the feature tools on an MCP server (for stdio or any other transport). */
export function createFeatureMcpServer(tools: readonly FeatureTool[], version: string): McpServer {
  const server = new McpServer({ name: FEATURE_SERVER_NAME, version });
  for (const tool of tools) {
    // A strict object, not the raw shape: from a raw shape the SDK builds a stripping z.object,
    // so unknown arguments would be silently dropped before the handler's own strict check.
    const inputSchema = z.object(tool.shape).strict();
    server.registerTool(tool.name, { description: tool.description, inputSchema }, (args: unknown) =>
      tool.handler(args),
    );
  }
  return server;
}
