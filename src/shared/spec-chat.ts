import { z } from 'zod';

/**
 * The guided spec chat (`autocoder spec <project>`, `WS /ws/projects/:name/spec`): a Claude
 * session interviews the user one topic at a time and writes a validated app spec.
 *
 * The same events drive the terminal and the WebSocket. Over the socket the client sends
 * `start` first (optionally with a model), then `user` messages; `done` ends the chat (as
 * Ctrl+D does in the terminal). Closing the socket aborts the session. The server answers a
 * message it cannot accept with `error` (the chat goes on) and closes the socket after `ended`.
 */

/** Longest message a user may send in one turn. */
export const SPEC_CHAT_MAX_MESSAGE = 20_000;

export const SpecProblemSchema = z.object({ line: z.number().int(), message: z.string() });

export const SpecChatEventSchema = z.discriminatedUnion('type', [
  /** The session is up (model as Claude Code reports it). */
  z.object({ type: z.literal('started'), model: z.string() }),
  /** A piece of the assistant's text as it streams in. */
  z.object({ type: z.literal('assistant_delta'), text: z.string() }),
  /** One complete assistant text (the deltas before it, joined). */
  z.object({ type: z.literal('assistant_message'), text: z.string() }),
  /** The assistant finished its turn and waits for the user's answer. */
  z.object({ type: z.literal('waiting') }),
  /** The user's message as it was handed to the session (echo, for other views of the chat). */
  z.object({ type: z.literal('user_message'), text: z.string() }),
  /** The assistant submitted a spec that does not validate; it was told the problems and fixes them. */
  z.object({ type: z.literal('spec_problems'), problems: z.array(SpecProblemSchema) }),
  /** A valid spec was written to the project. */
  z.object({
    type: z.literal('spec_written'),
    path: z.string(),
    projectName: z.string().nullable(),
    featureCount: z.number().int().nullable(),
    /** Where the spec it replaced was kept, if there was one. */
    backupPath: z.string().nullable(),
  }),
  /** The chat is over: the spec was written, the user ended it, it failed or was aborted. */
  z.object({
    type: z.literal('ended'),
    reason: z.enum(['spec_written', 'user_ended', 'error', 'aborted']),
    error: z.string().nullable(),
  }),
]);
export type SpecChatEvent = z.infer<typeof SpecChatEventSchema>;

export const SpecChatServerMessageSchema = z.union([
  SpecChatEventSchema,
  /** A client message that was refused; the chat goes on. */
  z.object({ type: z.literal('error'), message: z.string() }),
  z.object({ type: z.literal('pong') }),
]);
export type SpecChatServerMessage = z.infer<typeof SpecChatServerMessageSchema>;

export const SpecChatClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), model: z.string().trim().min(1).max(200).optional() }).strict(),
  z
    .object({
      type: z.literal('user'),
      text: z.string().trim().min(1, 'text must not be empty').max(SPEC_CHAT_MAX_MESSAGE),
    })
    .strict(),
  z.object({ type: z.literal('done') }).strict(),
  z.object({ type: z.literal('ping') }).strict(),
]);
export type SpecChatClientMessage = z.infer<typeof SpecChatClientMessageSchema>;
