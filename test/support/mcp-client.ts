import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { ProjectStore } from '../../src/compose.js';
import { createFeatureMcpServer } from '../../src/mcp/feature-server.js';
import { createFeatureTools, type FeatureTool } from '../../src/mcp/feature-tools.js';
import { createToolSession, type ToolSession } from '../../src/mcp/tool-session.js';

/** Tool results are JSON documents whose shape each test knows; `any` keeps assertions readable. */
export type Json = ReturnType<typeof JSON.parse>;

export interface CallResult {
  readonly isError: boolean;
  /** All text content of the result, joined. */
  readonly text: string;
  /** The text parsed as JSON (throws with the text when it is not JSON). */
  json(): Json;
}

export interface ToolClient {
  readonly client: Client;
  readonly session: ToolSession;
  call(name: string, args?: Record<string, unknown>): Promise<CallResult>;
  close(): Promise<void>;
}

/** Turns an MCP CallToolResult into {isError, text, json()}. */
export function toCallResult(result: unknown): CallResult {
  const r = result as { isError?: boolean; content?: { type: string; text?: string }[] };
  const text = (r.content ?? [])
    .filter((c) => c.type === 'text')
    .map((c) => c.text ?? '')
    .join('\n');
  return {
    isError: r.isError === true,
    text,
    json: () => {
      try {
        return JSON.parse(text) as Json;
      } catch {
        throw new Error(`tool result is not JSON: ${text}`);
      }
    },
  };
}

/** The real feature tools on a real MCP server, reached through a real MCP client over an in-memory link. */
export async function connectTools(store: ProjectStore, sessionId: string): Promise<ToolClient> {
  const session = createToolSession(sessionId);
  const tools = createFeatureTools({
    features: store.features,
    claims: store.claims,
    humanInput: store.humanInput,
    disputes: store.disputes,
    session,
  });
  return { ...(await connectToolList(tools, sessionId)), session };
}

/** Any list of our tools (a reviewer's, a persona's) on a real MCP server, reached through a real MCP client. */
export async function connectToolList(
  tools: readonly FeatureTool[],
  clientName: string,
): Promise<Omit<ToolClient, 'session'>> {
  const server = createFeatureMcpServer(tools, '0.0.0');
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: `test-${clientName}`, version: '0.0.0' });
  await server.connect(serverTransport);
  await client.connect(clientTransport);
  return {
    client,
    call: async (name, args = {}) => toCallResult(await client.callTool({ name, arguments: args })),
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}
