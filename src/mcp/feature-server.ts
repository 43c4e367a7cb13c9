import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { FeatureTool } from './feature-tools.js';

export const FEATURE_SERVER_NAME = 'features';

/** Mounts the feature tools on an MCP server (for stdio or any other transport). */
export function createFeatureMcpServer(tools: readonly FeatureTool[], version: string): McpServer {
  const server = new McpServer({ name: FEATURE_SERVER_NAME, version });
  for (const tool of tools) {
    server.registerTool(tool.name, { description: tool.description, inputSchema: tool.shape }, (args: unknown) => tool.handler(args));
  }
  return server;
}
