import { WebSocket } from 'ws';
import type { ProjectPaths } from '../config/paths.js';
import type { EventPort } from '../db/ports.js';
import { errorMessage } from '../domain/errors.js';
import { SpecChatClientMessageSchema, type SpecChatEvent, type SpecChatServerMessage } from '../shared/spec-chat.js';
import type { Logger } from '../logging/logger.js';
import { projectStoreExists } from '../db/store-location.js';

/**
 * The server's side of the guided spec chat (`WS /ws/projects/:name/spec`). The chat itself
 * runs an agent session, which the server does not build: whoever starts the server hands in
 * a {@link SpecChatStarter} (the CLI's `serve` wires the Claude one from compose.ts).
 */

export interface SpecChatHandle {
  readonly events: AsyncIterable<SpecChatEvent>;
  send(text: string): void;
  end(): void;
  abort(): void;
}

/** Starts a chat; throws or rejects (an AppError with a message for the user) when it cannot. */
export type SpecChatStarter = (input: {
  readonly projectName: string;
  readonly paths: ProjectPaths;
  readonly model: string | undefined;
}) => SpecChatHandle | Promise<SpecChatHandle>;

/** Tells the project's live clients that the spec changed, as `PUT /api/projects/:name/spec` does. */
function recordSpecWritten(
  paths: ProjectPaths,
  events: () => EventPort,
  event: Extract<SpecChatEvent, { type: 'spec_written' }>,
  logger: Logger | undefined,
): void {
  if (!projectStoreExists(paths)) return;
  try {
    events().append({
      type: 'spec.updated',
      at: Date.now(),
      payload: { projectName: event.projectName, featureCount: event.featureCount, by: 'spec_chat' },
    });
  } catch (err: unknown) {
    // The spec is written; a missed live notice is not worth failing the chat for, only a line in the log.
    logger?.warn({ err, project: event.projectName }, 'could not record the spec.updated event of a spec chat');
  }
}

/**
 * One chat per connection: `start` first, then `user` / `done`; closing the socket aborts the
 * session. Resolves once the connection is closed and its chat, if any, has ended (its Claude
 * Code stopped and its temporary folder removed), so a server shutting down can wait for that.
 */
export function serveSpecChat(
  ws: WebSocket,
  projectName: string,
  paths: ProjectPaths,
  start: SpecChatStarter,
  events: () => EventPort,
  logger?: Logger,
): Promise<void> {
  let chat: SpecChatHandle | null = null;
  let starting = false;
  let closed = false;
  let over!: () => void;
  const done = new Promise<void>((resolve) => (over = resolve));
  const send = (message: SpecChatServerMessage) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  };
  const refuse = (message: string) => send({ type: 'error', message });

  const pump = async (handle: SpecChatHandle) => {
    try {
      for await (const event of handle.events) {
        if (event.type === 'spec_written') recordSpecWritten(paths, events, event, logger);
        send(event);
      }
    } catch (err: unknown) {
      send({ type: 'ended', reason: 'error', error: errorMessage(err) });
    }
    if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'spec chat ended');
    over();
  };

  ws.on('message', (data) => {
    let raw: unknown;
    try {
      raw = JSON.parse(String(data));
    } catch {
      return refuse('messages must be JSON, e.g. {"type":"user","text":"…"}');
    }
    const parsed = SpecChatClientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
        .join('; ');
      return refuse(
        `invalid message (${issues}); send {"type":"start"}, {"type":"user","text":"…"} or {"type":"done"}`,
      );
    }
    const msg = parsed.data;
    switch (msg.type) {
      case 'ping':
        return send({ type: 'pong' });
      case 'start':
        if (chat || starting) return refuse('the chat has already started (one chat per connection)');
        starting = true;
        void (async () => {
          try {
            chat = await start({ projectName, paths, model: msg.model });
          } catch (err: unknown) {
            refuse(errorMessage(err));
            ws.close(1008, 'cannot start the spec chat');
            over();
            return;
          }
          // The socket closed while the chat was starting: stop it at once.
          if (closed) chat.abort();
          await pump(chat);
        })();
        return undefined;
      case 'user':
        if (!chat)
          return refuse(
            starting ? 'the chat is still starting; wait for its first question' : 'send {"type":"start"} first',
          );
        return chat.send(msg.text);
      case 'done':
        if (!chat)
          return refuse(
            starting ? 'the chat is still starting; wait for its first question' : 'send {"type":"start"} first',
          );
        return chat.end();
    }
  });
  ws.on('close', () => {
    closed = true;
    chat?.abort();
    // No chat was asked for: nothing to wait for. (One starting or running resolves when it ends.)
    if (!chat && !starting) over();
  });
  return done;
}
