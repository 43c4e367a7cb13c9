import type { SpecChatServerMessage } from '@shared/spec-chat';

export interface ChatLine {
  readonly role: 'assistant' | 'user' | 'note';
  readonly text: string;
}

export interface SpecChatState {
  /** connecting: socket opening; thinking: Claude is answering; waiting: your turn; ended: over. */
  readonly phase: 'connecting' | 'thinking' | 'waiting' | 'ended';
  readonly lines: readonly ChatLine[];
  /** The assistant text streaming in right now. */
  readonly streaming: string;
  readonly written: { readonly path: string; readonly featureCount: number | null } | null;
  readonly error: string | null;
  /** The model answering, once the session is up. */
  readonly model: string | null;
}

export type SpecChatAction = { readonly type: 'closed' } | SpecChatServerMessage;

export const initialSpecChat: SpecChatState = {
  phase: 'connecting',
  lines: [],
  streaming: '',
  written: null,
  error: null,
  model: null,
};

/** Folds the chat socket's messages into what the panel shows. */
export function reduceSpecChat(state: SpecChatState, msg: SpecChatAction): SpecChatState {
  switch (msg.type) {
    case 'started':
      return { ...state, model: msg.model, phase: state.phase === 'connecting' ? 'thinking' : state.phase };
    case 'assistant_delta':
      return { ...state, phase: state.phase === 'ended' ? 'ended' : 'thinking', streaming: state.streaming + msg.text };
    case 'assistant_message':
      return { ...state, streaming: '', lines: [...state.lines, { role: 'assistant', text: msg.text }] };
    case 'waiting':
      return state.phase === 'ended' ? state : { ...state, phase: 'waiting' };
    case 'user_message':
      return { ...state, phase: 'thinking', error: null, lines: [...state.lines, { role: 'user', text: msg.text }] };
    case 'spec_problems':
      return {
        ...state,
        lines: [
          ...state.lines,
          {
            role: 'note',
            text: `The draft had ${msg.problems.length} problem${msg.problems.length === 1 ? '' : 's'}; Claude is fixing ${msg.problems.length === 1 ? 'it' : 'them'}.`,
          },
        ],
      };
    case 'spec_written':
      return { ...state, written: { path: msg.path, featureCount: msg.featureCount } };
    case 'ended':
      return {
        ...state,
        phase: 'ended',
        streaming: '',
        error: msg.reason === 'error' ? (msg.error ?? 'the chat failed') : state.error,
      };
    case 'error':
      return { ...state, error: msg.message };
    case 'pong':
      return state;
    case 'closed':
      return state.phase === 'ended'
        ? state
        : { ...state, phase: 'ended', error: state.error ?? 'The connection to the server was lost.' };
  }
}
