// Keeps the processes of `npm start` running. A child that exits without being asked to is started
// again after a delay that doubles with each quick failure, up to a cap, and goes back to the first
// delay once a run has stayed up long enough to count as healthy; the other children keep running
// meanwhile. stop() ends them all: SIGTERM first, SIGKILL for one that outlives the grace period.
//
// Children run in their own process group (detached), so a Ctrl-C in the terminal reaches only the
// supervisor, which stops them in order, instead of racing their own exits against restarts.
import { type ChildProcess, spawn } from 'node:child_process';
import readline from 'node:readline';

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface Backoff {
  /** Delay before the first restart after a healthy run. */
  initialDelayMs: number;
  /** Each further quick failure multiplies the delay by this. */
  factor: number;
  /** The delay never grows beyond this. */
  maxDelayMs: number;
  /** A run that lasted this long was healthy: the next restart waits initialDelayMs again. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialDelayMs: 1_000, factor: 2, maxDelayMs: 30_000, resetAfterMs: 60_000 };

export type SupervisorEvent =
  | { type: 'started'; name: string; pid: number; run: number }
  | { type: 'exited'; name: string; pid: number | undefined; code: number | null; signal: NodeJS.Signals | null; uptimeMs: number }
  | { type: 'restarting'; name: string; delayMs: number; restart: number };

export interface SupervisorOptions extends Partial<Backoff> {
  /** How long a child may take to stop after SIGTERM before it gets SIGKILL. */
  stopTimeoutMs?: number;
  log?: (message: string) => void;
  /** Each line a child writes; by default printed with a `[name]` prefix. */
  output?: (name: string, line: string, stream: 'stdout' | 'stderr') => void;
  onEvent?: (event: SupervisorEvent) => void;
}

export interface Supervisor {
  /** Current pid of each child, undefined while it waits to be restarted. */
  pids(): Record<string, number | undefined>;
  /** Stops every child and any pending restart; safe to call more than once. */
  stop(): Promise<void>;
}

/** The delay before restart number `failures + 1` of a run of quick failures. */
export function restartDelay(failures: number, backoff: Backoff): number {
  return Math.min(backoff.maxDelayMs, Math.round(backoff.initialDelayMs * backoff.factor ** failures));
}

interface Slot {
  spec: ProcessSpec;
  child?: ChildProcess;
  startedAt: number;
  runs: number;
  /** Quick failures in a row: the exponent of the next delay. */
  failures: number;
  restartTimer?: NodeJS.Timeout;
  exited?: Promise<void>;
}

const defaultOutput = (name: string, line: string, stream: 'stdout' | 'stderr') =>
  (stream === 'stdout' ? console.log : console.error)(`[${name}] ${line}`);

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}

export function supervise(specs: ProcessSpec[], opts: SupervisorOptions = {}): Supervisor {
  const backoff: Backoff = {
    initialDelayMs: opts.initialDelayMs ?? DEFAULT_BACKOFF.initialDelayMs,
    factor: opts.factor ?? DEFAULT_BACKOFF.factor,
    maxDelayMs: opts.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs,
    resetAfterMs: opts.resetAfterMs ?? DEFAULT_BACKOFF.resetAfterMs,
  };
  const stopTimeoutMs = opts.stopTimeoutMs ?? 10_000;
  const log = opts.log ?? ((m: string) => console.log(`[supervisor] ${m}`));
  const output = opts.output ?? defaultOutput;
  const emit = (event: SupervisorEvent) => opts.onEvent?.(event);
  const slots: Slot[] = specs.map((spec) => ({ spec, startedAt: 0, runs: 0, failures: 0 }));
  let stopping: Promise<void> | undefined;

  // If this process ends without stop() (an uncaught error), its detached children must not linger.
  const killOnExit = () => {
    for (const slot of slots) if (slot.child && slot.child.exitCode === null && slot.child.signalCode === null) slot.child.kill('SIGTERM');
  };
  process.on('exit', killOnExit);

  const start = (slot: Slot) => {
    slot.restartTimer = undefined;
    const { name, command, args, cwd, env } = slot.spec;
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    slot.child = child;
    slot.startedAt = Date.now();
    slot.runs += 1;
    for (const stream of ['stdout', 'stderr'] as const) {
      const source = child[stream];
      if (source) readline.createInterface({ input: source, crlfDelay: Infinity }).on('line', (line) => output(name, line, stream));
    }
    slot.exited = new Promise<void>((resolve) => {
      let done = false;
      const onGone = (code: number | null, signal: NodeJS.Signals | null) => {
        if (done) return;
        done = true;
        resolve();
        if (slot.child === child) slot.child = undefined;
        const uptimeMs = Date.now() - slot.startedAt;
        emit({ type: 'exited', name, pid: child.pid, code, signal, uptimeMs });
        if (stopping) return;
        if (uptimeMs >= backoff.resetAfterMs) slot.failures = 0;
        const delayMs = restartDelay(slot.failures, backoff);
        slot.failures += 1;
        log(`${name} exited (${describeExit(code, signal)}) after ${(uptimeMs / 1000).toFixed(1)} s; restarting in ${(delayMs / 1000).toFixed(1)} s`);
        emit({ type: 'restarting', name, delayMs, restart: slot.runs });
        slot.restartTimer = setTimeout(() => start(slot), delayMs);
      };
      child.once('exit', onGone);
      // A spawn that fails (no such command) emits 'error' and possibly no 'exit'.
      child.once('error', (err) => {
        log(`${name} could not run: ${err.message}`);
        onGone(null, null);
      });
    });
    if (child.pid !== undefined) {
      log(`${name} started (pid ${child.pid})`);
      emit({ type: 'started', name, pid: child.pid, run: slot.runs });
    }
  };

  const stopSlot = async (slot: Slot) => {
    clearTimeout(slot.restartTimer);
    slot.restartTimer = undefined;
    const child = slot.child;
    if (!child || !slot.exited) return;
    const exited = slot.exited;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log(`${slot.spec.name} (pid ${child.pid}) still running ${stopTimeoutMs / 1000} s after SIGTERM; killing it`);
        child.kill('SIGKILL');
        resolve();
      }, stopTimeoutMs);
    });
    await Promise.race([exited, killed]);
    await exited;
    clearTimeout(timer);
  };

  for (const slot of slots) start(slot);

  return {
    pids: () => Object.fromEntries(slots.map((s) => [s.spec.name, s.child?.pid])),
    stop() {
      stopping ??= Promise.all(slots.map(stopSlot)).then(() => {
        process.removeListener('exit', killOnExit);
      });
      return stopping;
    },
  };
}

/**
 * Runs `stop` on the first SIGINT or SIGTERM; later signals only say that it is under way (stop has
 * its own SIGKILL deadline). Listeners stay installed so that no later signal kills this process
 * before its children are down.
 */
export function onShutdownSignals(stop: (signal: NodeJS.Signals) => Promise<void>, log: (message: string) => void = console.log): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) {
        log(`${signal} received; already stopping`);
        return;
      }
      stopping = true;
      void stop(signal);
    });
  }
}
