import { tmpdir } from 'node:os';
import { findJailTools, jailArgv, planJail, type JailTools } from '../jail/jail.js';

/**
 * How a verification runs a program: in the bubblewrap jail when the OS sandbox is on (the same
 * jail as agents' `./init.sh`: autocoder's home, credentials and other projects hidden, the host
 * read-only, the checkout writable, private TMPDIR and HOME, the host's network shared so the
 * app is reachable on loopback), plainly when it is off, as agents' commands then run.
 */
export interface Confinement {
  readonly tools: JailTools;
  /** What the jail hides (`sandboxReadDenyPaths`). */
  readonly hidden: readonly string[];
}

/**
 * The confinement of a program autocoder runs beside the agents (acceptance checks and their app, a checkpoint's or a
 * design capture's app, the app preview): the jail when the sandbox is on and bubblewrap is on `path`; null (it runs
 * plainly) when the sandbox is off, or when bubblewrap is missing, which `onMissing` hears about.
 */
export function confinementFor(
  req: { readonly sandbox: boolean; readonly path: string | undefined; readonly hidden: readonly string[] },
  onMissing?: () => void,
): Confinement | null {
  if (!req.sandbox) return null;
  const tools = findJailTools(process.platform, req.path);
  if (tools === null) {
    onMissing?.();
    return null;
  }
  return { tools, hidden: req.hidden };
}

export interface JailedProgram {
  /** The verification's own temp folder: a TMPDIR and HOME inside it are private to the jail. */
  readonly privateDir: string;
  readonly checkout: string;
  readonly env: Readonly<Record<string, string>>;
  /** Names the jail (visible in its command line). */
  readonly marker: string;
  /**
   * The jail ends with the program (a check's command leaves nothing running); false for
   * `./init.sh`, whose app must outlive it.
   */
  readonly endsWithProgram: boolean;
}

/** The argv that runs `argv` as `program` says: inside the jail when there is a confinement, else as it is. */
export function confinedArgv(
  confinement: Confinement | null,
  program: JailedProgram,
  argv: readonly [string, ...string[]],
): [string, ...string[]] {
  if (confinement === null) return [...argv];
  const plan = planJail({
    tools: confinement.tools,
    cwd: program.checkout,
    privateDir: program.privateDir,
    env: program.env,
    hidden: confinement.hidden,
    tempDir: tmpdir(),
    marker: program.marker,
    dieWithParent: program.endsWithProgram,
  });
  return [plan.bwrap, ...jailArgv(plan), '--', ...argv];
}
