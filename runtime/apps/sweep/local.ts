// The local engine: N trials at a time as child processes of this one, each an ordinary
// `hourglass train` (then `hourglass evaluate`) with its own intra-op thread count, so N × threads
// stays within the cores. Ctrl-C ends the children by pid; their checkpoints let a rerun resume.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Trial } from './grid';
import { hourglassCommand } from './hourglassBin';
import { continueFlags, trialState, type SweepFiles } from './layout';
import { logTail } from './logTail';
import { evalArgv, trainArgv, type SweepPlan } from './plan';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { clearEndedLock } from '../../run/lock';

export interface Counts {
  readonly total: number;
  readonly done: number;
  readonly running: number;
  readonly failed: number;
  readonly pending: number;
}

export interface Failure {
  readonly id: string;
  readonly reason: string;
  readonly log: string;
  readonly tail: string;
}

export interface EngineResult {
  readonly failures: readonly Failure[];
  /** Stopped by a signal before all trials ended. */
  readonly interrupted: boolean;
}

export interface LocalOptions {
  readonly parallel: number;
  readonly onProgress: (c: Counts) => void;
  readonly onTrialEnd?: (id: string, ok: boolean) => void;
  /** Resolves when the sweep should stop (Ctrl-C); the engine then ends its children. */
  readonly stop: Promise<void>;
}

const logPath = (f: SweepFiles, id: string) => join(f.logs, `${id}.log`);

/**
 * Runs one child to its end; output appended to the trial's log (or to `stdoutTo` for stdout).
 * A child ended by a signal it could not handle (the SIGKILL after a stubborn Ctrl-C) leaves the
 * run lock of `runDir` behind; having reaped it, we know it ended, so its lock is cleared (and
 * the log says so) and the rerun resumes instead of being refused.
 */
const runChild = (argv: string[], log: string, children: Set<ChildProcess>, stdoutTo?: string, runDir?: string): Promise<number | string> =>
  new Promise((resolveRun) => {
    const logFd = openSync(log, 'a');
    const outFd = stdoutTo ? openSync(stdoutTo, 'w') : logFd;
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', outFd, logFd], env: { ...process.env, CI: '1' } });
    children.add(child);
    const done = (r: number | string) => {
      children.delete(child);
      closeSync(logFd);
      if (outFd !== logFd) closeSync(outFd);
      resolveRun(r);
    };
    child.on('error', (err) => done(err.message));
    child.on('exit', (code, signal) => {
      if (signal && runDir && child.pid !== undefined) {
        const pid = child.pid;
        const line = clearEndedLock(runDir, (h) => (h.pid === pid && h.host === hostname() ? `it was this sweep's own child, ended by ${signal}` : null));
        if (line) writeFileSync(logFd, `hourglass sweep: ${line}\n`);
      }
      done(signal ? `ended by ${signal}` : (code ?? 1));
    });
  });

export const runLocal = async (plan: SweepPlan, f: SweepFiles, todo: readonly Trial[], o: LocalOptions): Promise<EngineResult> => {
  for (const d of [f.logs, f.status, f.evals]) mkdirSync(d, { recursive: true });
  const children = new Set<ChildProcess>();
  const failures: Failure[] = [];
  let stopping = false;
  let done = 0;
  let running = 0;
  const queue = [...todo];
  const report = () => o.onProgress({ total: todo.length, done, running, failed: failures.length, pending: queue.length });

  const stopped = o.stop.then(async () => {
    stopping = true;
    queue.length = 0;
    for (const c of children) if (c.pid !== undefined) process.kill(c.pid, 'SIGTERM');
  });

  const runTrial = async (t: Trial): Promise<void> => {
    const run = f.run(t.id);
    const log = logPath(f, t.id);
    writeFileSync(log, `# ${new Date().toISOString()} ${trialState(f, t.id)}\n`, { flag: 'a' });
    const train = await runChild(hourglassCommand([...trainArgv(plan, t, run), ...continueFlags(trialState(f, t.id))]), log, children, undefined, run);
    if (stopping) return;
    if (train !== 0) {
      failures.push({ id: t.id, reason: typeof train === 'string' ? train : `train exited with ${train}`, log, tail: logTail(log) });
      return;
    }
    const ev = evalArgv(plan, run);
    if (ev) {
      const tmp = `${f.evaluation(t.id)}.tmp`;
      const r = await runChild(hourglassCommand(ev), log, children, tmp);
      if (stopping) return;
      let parsed = false;
      try {
        JSON.parse(readFileSync(tmp, 'utf8'));
        parsed = r === 0;
      } catch {
        parsed = false;
      }
      if (!parsed) {
        rmSync(tmp, { force: true });
        failures.push({ id: t.id, reason: r === 0 ? 'evaluate printed no JSON' : `evaluate exited with ${r}`, log, tail: logTail(log) });
        return;
      }
      renameSync(tmp, f.evaluation(t.id));
    }
    writeFileSync(f.done(t.id), `${new Date().toISOString()}\n`);
    done++;
  };

  const worker = async (): Promise<void> => {
    for (let t = queue.shift(); t && !stopping; t = queue.shift()) {
      running++;
      report();
      const before = failures.length;
      await runTrial(t);
      running--;
      if (!stopping) o.onTrialEnd?.(t.id, failures.length === before);
      report();
    }
  };

  report();
  await Promise.race([Promise.all(Array.from({ length: Math.max(1, Math.min(o.parallel, todo.length)) }, worker)), stopped]);
  if (stopping) {
    // Wait for the children to go; a stubborn one is killed after 10 s.
    const deadline = Date.now() + 10_000;
    while (children.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const c of children) if (c.pid !== undefined) process.kill(c.pid, 'SIGKILL');
    while (children.size > 0) await new Promise((r) => setTimeout(r, 50));
  }
  return { failures, interrupted: stopping };
};
