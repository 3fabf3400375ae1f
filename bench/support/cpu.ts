// CPU time spent during a timed run, from Linux's /proc: the whole machine's busy time, this
// process's own (the API, the HTTP client and the bare worker run here) and given child processes'
// (the case workers). Divided by the requests it is CPU per request, which at saturation decides
// throughput and so latency, and is far steadier from run to run than a p99. The rest of the
// machine's busy time is mostly the Temporal server and PostgreSQL. Elsewhere than Linux: null.
import { readFileSync } from 'node:fs';

export interface CpuSpent {
  /** Busy CPU of the whole machine (all cores, every process), ms. */
  machineMs: number;
  /** This process, ms. */
  selfMs: number;
  /** The given child processes together, ms. */
  childrenMs: number;
}

const TICK_MS = 10; // USER_HZ is 100 on every Linux this runs on

function machineBusyTicks(): number {
  // cpu  user nice system idle iowait irq softirq steal ...: busy is all but idle and iowait.
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return total - fields[3]! - fields[4]!;
}

/** CPU time a process has used so far, user and system, in milliseconds (Linux), or null. */
export function cpuMs(pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces, inside parentheses): utime is the 12th, stime the 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}

function selfMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Starts counting; the returned function tells what was spent since. */
export function cpuMeter(childPids: number[]): (() => CpuSpent) | null {
  if (process.platform !== 'linux') return null;
  const machine0 = machineBusyTicks();
  const self0 = selfMs();
  const children0 = childPids.map((pid) => cpuMs(pid) ?? 0);
  return () => ({
    machineMs: (machineBusyTicks() - machine0) * TICK_MS,
    selfMs: selfMs() - self0,
    childrenMs: childPids.reduce((sum, pid, i) => sum + (cpuMs(pid) ?? 0) - children0[i]!, 0),
  });
}
