/**
 * The test bed's fake Anthropic Messages API: the scripted model server shipped in
 * src/model-server plus scenarios for autocoder's roles. Scenarios are functions of the
 * conversation (which prompt, which tool results came back), never of server state.
 */
export {
  startScriptedModelServer,
  type ScriptedModelServer,
  type Script,
  type Fault,
  type FaultRule,
  type RequestRecord,
} from '../../../src/model-server/server.js';
export { reply, type Reply } from '../../../src/model-server/reply.js';
export type { Conversation, ToolResultView } from '../../../src/model-server/conversation.js';
export * from './scenarios.js';
