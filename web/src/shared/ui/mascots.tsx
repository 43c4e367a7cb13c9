import type { AgentState } from '@shared/events';

/** The five agent mascots, one per slot (original drawings, plain SVG). */
export const MASCOTS = ['Spark', 'Fizz', 'Octo', 'Hoot', 'Buzz'] as const;
export type MascotName = (typeof MASCOTS)[number];

/** Slots are numbered from 0: slot 0 is Spark. */
export const mascotForSlot = (slot: number): MascotName =>
  MASCOTS[((slot % MASCOTS.length) + MASCOTS.length) % MASCOTS.length]!;

const BODY: Record<MascotName, string> = {
  Spark: '#f5b400',
  Fizz: '#2bb3c0',
  Octo: '#e2557a',
  Hoot: '#8a6bd1',
  Buzz: '#f08a24',
};

function Eyes({ state, y = 30, gap = 9 }: { state: AgentState; y?: number; gap?: number }) {
  const cx = 32;
  if (state === 'success')
    return (
      <g stroke="#1b1b1b" strokeWidth="2.4" fill="none" strokeLinecap="round">
        <path d={`M${cx - gap - 3} ${y + 1} q3 -4 6 0`} />
        <path d={`M${cx + gap - 3} ${y + 1} q3 -4 6 0`} />
      </g>
    );
  if (state === 'error')
    return (
      <g stroke="#1b1b1b" strokeWidth="2.2" strokeLinecap="round">
        <path d={`M${cx - gap - 2.5} ${y - 2.5} l5 5 M${cx - gap + 2.5} ${y - 2.5} l-5 5`} />
        <path d={`M${cx + gap - 2.5} ${y - 2.5} l5 5 M${cx + gap + 2.5} ${y - 2.5} l-5 5`} />
      </g>
    );
  const look = state === 'thinking' ? -1.5 : 0;
  return (
    <g>
      <circle cx={cx - gap} cy={y} r="4.2" fill="#fff" />
      <circle cx={cx + gap} cy={y} r="4.2" fill="#fff" />
      <circle cx={cx - gap + look} cy={y + look} r="2" fill="#1b1b1b" />
      <circle cx={cx + gap + look} cy={y + look} r="2" fill="#1b1b1b" />
      {state === 'idle' ? (
        <path
          d={`M${cx - gap - 5} ${y - 1} h10 M${cx + gap - 5} ${y - 1} h10`}
          stroke={'#1b1b1b'}
          strokeWidth="1.2"
          opacity="0.5"
        />
      ) : null}
    </g>
  );
}

function Mouth({ state, y = 41 }: { state: AgentState; y?: number }) {
  if (state === 'success')
    return <path d={`M26 ${y} q6 6 12 0`} stroke="#1b1b1b" strokeWidth="2.2" fill="none" strokeLinecap="round" />;
  if (state === 'error')
    return <path d={`M26 ${y + 3} q6 -5 12 0`} stroke="#1b1b1b" strokeWidth="2.2" fill="none" strokeLinecap="round" />;
  if (state === 'thinking') return <circle cx="32" cy={y + 1} r="1.8" fill="#1b1b1b" />;
  return <path d={`M28 ${y} h8`} stroke="#1b1b1b" strokeWidth="2.2" strokeLinecap="round" />;
}

function Figure({ name, state }: { name: MascotName; state: AgentState }) {
  const c = BODY[name];
  switch (name) {
    case 'Spark': // a round star with a lightning tuft
      return (
        <g>
          <path
            d="M32 4 l5 9 -4 0 5 8 -9 -10 4 0z"
            fill="#ffd84d"
            stroke="#1b1b1b"
            strokeWidth="1.5"
            strokeLinejoin="round"
          />
          <circle cx="32" cy="36" r="20" fill={c} stroke="#1b1b1b" strokeWidth="3" />
          <Eyes state={state} y={33} />
          <Mouth state={state} y={43} />
        </g>
      );
    case 'Fizz': // a soda bubble with small bubbles rising
      return (
        <g>
          <circle cx="48" cy="10" r="3" fill="none" stroke={c} strokeWidth="1.6" />
          <circle cx="53" cy="18" r="2" fill="none" stroke={c} strokeWidth="1.4" />
          <rect x="12" y="14" width="40" height="44" rx="18" fill={c} stroke="#1b1b1b" strokeWidth="3" />
          <path d="M19 24 q3 -5 8 -6" stroke="#fff" strokeWidth="2.5" fill="none" strokeLinecap="round" opacity="0.7" />
          <Eyes state={state} y={34} />
          <Mouth state={state} y={44} />
        </g>
      );
    case 'Octo': // an octopus with four wavy arms
      return (
        <g>
          {[14, 24, 40, 50].map((x, i) => (
            <path
              key={x}
              d={`M${x} 44 q${i % 2 ? 3 : -3} 8 0 14`}
              stroke="#1b1b1b"
              strokeWidth="7"
              strokeLinecap="round"
              fill="none"
            />
          ))}
          {[14, 24, 40, 50].map((x, i) => (
            <path
              key={`a${x}`}
              d={`M${x} 44 q${i % 2 ? 3 : -3} 8 0 14`}
              stroke={c}
              strokeWidth="4.5"
              strokeLinecap="round"
              fill="none"
            />
          ))}
          <path d="M10 40 a22 24 0 0 1 44 0 q0 8 -22 8 q-22 0 -22 -8z" fill={c} stroke="#1b1b1b" strokeWidth="3" />
          <Eyes state={state} y={28} />
          <Mouth state={state} y={37} />
        </g>
      );
    case 'Hoot': // an owl with ear tufts and a beak
      return (
        <g>
          <path
            d="M14 20 l2 -12 8 8z M50 20 l-2 -12 -8 8z"
            fill={c}
            stroke="#1b1b1b"
            strokeWidth="1.8"
            strokeLinejoin="round"
          />
          <ellipse cx="32" cy="36" rx="21" ry="22" fill={c} stroke="#1b1b1b" strokeWidth="3" />
          <ellipse cx="32" cy="44" rx="12" ry="10" fill="#efe6ff" opacity="0.8" />
          <circle cx="23" cy="29" r="7.5" fill="#efe6ff" stroke="#1b1b1b" strokeWidth="1.2" />
          <circle cx="41" cy="29" r="7.5" fill="#efe6ff" stroke="#1b1b1b" strokeWidth="1.2" />
          <Eyes state={state} y={29} />
          <path d="M29 36 l3 5 3 -5z" fill="#f5b400" stroke="#1b1b1b" strokeWidth="1" strokeLinejoin="round" />
        </g>
      );
    case 'Buzz': // a bee with stripes and wings
      return (
        <g>
          <ellipse cx="20" cy="16" rx="9" ry="7" fill="#dff3ff" stroke="#1b1b1b" strokeWidth="1.5" opacity="0.9" />
          <ellipse cx="44" cy="16" rx="9" ry="7" fill="#dff3ff" stroke="#1b1b1b" strokeWidth="1.5" opacity="0.9" />
          <ellipse cx="32" cy="38" rx="22" ry="19" fill={c} stroke="#1b1b1b" strokeWidth="3" />
          <path d="M18 50 q14 6 28 0" stroke="#1b1b1b" strokeWidth="4" fill="none" />
          <path d="M12 42 q20 6 40 0" stroke="#1b1b1b" strokeWidth="3" fill="none" opacity="0.35" />
          <Eyes state={state} y={32} />
          <Mouth state={state} y={40} />
        </g>
      );
  }
}

const MOTION: Record<AgentState, string> = {
  idle: 'opacity-60 grayscale',
  thinking: 'animate-pulse-soft',
  working: 'animate-bob',
  testing: 'animate-bob',
  success: 'animate-pop rounded-full',
  error: '',
};

/** A mascot drawn for an agent state; decorative unless given a title. */
export function Mascot({
  name,
  state,
  size = 56,
  title,
}: {
  name: MascotName;
  state: AgentState;
  size?: number;
  title?: string;
}) {
  return (
    <svg
      viewBox="0 0 64 64"
      width={size}
      height={size}
      // The hard offset shadow of every card and button, drawn around the figure's own outline.
      className={`shrink-0 drop-shadow-hard ${MOTION[state]}`}
      role={title ? 'img' : undefined}
      aria-hidden={title ? undefined : true}
      aria-label={title}
    >
      <Figure name={name} state={state} />
    </svg>
  );
}
