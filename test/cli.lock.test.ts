// One writer per run directory: two real `hourglass train` processes raced into one --out. The
// second is refused in one line naming the holder (exit EXIT.busy), the first's run is intact
// (run.json, checkpoint and metrics all from the winner). A lock left by a killed process is
// reported with the command that clears it, never broken silently; a SIGTERM releases it.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { afterAll, describe, expect, test } from 'vitest';
import { readCheckpoint } from '../runtime/host/checkpoint';
import { EXIT } from '../runtime/core/failure';
import { lockPath } from '../runtime/run/lock';
import { bin, hourglass, repo, writeSmallData, writeTinyVae } from './support/cliHarness';

const tmp = mkdtempSync(join(tmpdir(), 'hourglass-lock-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const spec = writeTinyVae(tmp);
const data = writeSmallData(tmp);
const trainArgs = (out: string, ...more: string[]) => ['train', spec, '--data', data, '--out', out, '--epochs', '1', '--batch', '32', '--threads', '1', '--no-typecheck', ...more];

/** Start the CLI without waiting; resolves with its exit code, signal, pid and stderr. */
const start = (args: string[]) => {
  const child = spawn(process.execPath, [bin, ...args], { cwd: repo, env: { ...process.env, CI: '1' } });
  let err = '';
  child.stderr.on('data', (b) => (err += b));
  child.stdout.resume();
  const done = new Promise<{ code: number | null; signal: string | null; err: string; pid: number }>((r) =>
    child.on('close', (code, signal) => r({ code, signal, err: err.trim(), pid: child.pid! })),
  );
  return { child, done };
};

describe('one writer per run directory', () => {
  test('two trains raced into one directory 20 times: the second is refused each time, the first run is intact', async () => {
    for (let i = 0; i < 20; i++) {
      const out = join(tmp, `race-${i}`);
      // Different seeds, so a mixed-up run would show in run.json against the checkpoint.
      const a = start(trainArgs(out, '--seed', '11'));
      const b = start(trainArgs(out, '--seed', '22'));
      const [ra, rb] = await Promise.all([a.done, b.done]);
      const results = [ra, rb];
      const won = results.filter((r) => r.code === 0);
      const lost = results.filter((r) => r.code !== 0);
      expect(won, `race ${i}: ${ra.err} | ${rb.err}`).toHaveLength(1);
      expect(lost[0].code, lost[0].err).toBe(EXIT.busy);
      expect(lost[0].err.split('\n'), lost[0].err).toHaveLength(1);
      expect(lost[0].err).toMatch(new RegExp(`in use by pid ${won[0].pid} on ${hostname()} since .* \\(hourglass train\\)`));
      const seed = won[0] === ra ? 11 : 22;
      const rec = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
      expect(rec.settings.seed).toBe(seed);
      expect(rec.history).toHaveLength(1);
      const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n');
      expect(metrics.map((l) => JSON.parse(l).epoch)).toEqual([1]);
      const c = readCheckpoint(join(out, 'checkpoint.hgck'));
      expect(E.isRight(c) && c.right.meta.step).toBe(4);
      expect(existsSync(lockPath(out)), 'the lock is released at the end').toBe(false);
    }
  }, 600_000);

  test('a --resume during a run is refused and the run goes on', async () => {
    const out = join(tmp, 'busy');
    expect(hourglass(trainArgs(out)).code).toBe(0);
    const a = start(trainArgs(out, '--resume', '--epochs', '2000'));
    // Wait until the first is training (its resume is recorded), then try the second.
    const resumes = () => (JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).history as { event: string }[]).filter((h) => h.event === 'resumed').length;
    while (resumes() === 0) await new Promise((r) => setTimeout(r, 50));
    const r = hourglass(trainArgs(out, '--resume', '--lr', '0.01', '--epochs', '2000'));
    expect(r.code, r.err).toBe(EXIT.busy);
    expect(r.err).toMatch(new RegExp(`in use by pid ${a.child.pid} `));
    // The first is still running, untouched by the refused one; end it.
    expect(a.child.exitCode).toBe(null);
    a.child.kill('SIGTERM');
    await a.done;
    const rec = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(rec.history.filter((h: { event: string }) => h.event === 'resumed')).toHaveLength(1);
    expect(rec.settings.lr).toBe(0.001);
  }, 600_000);

  test('a lock left by a dead process is reported with the command that clears it, not broken', () => {
    const out = join(tmp, 'stale');
    expect(hourglass(trainArgs(out)).code).toBe(0);
    // A pid that cannot be running: beyond the kernel's pid_max (2^22).
    const lock = lockPath(out);
    writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 7, host: hostname(), started: '2026-01-01T00:00:00.000Z', command: 'train' }));
    const before = readFileSync(join(out, 'checkpoint.hgck'));
    const r = hourglass(trainArgs(out, '--resume', '--epochs', '2'));
    expect(r.code, r.err).toBe(EXIT.busy);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toContain('no longer running');
    expect(r.err).toContain(`rm ${lock}`);
    expect(existsSync(lock)).toBe(true);
    expect(readFileSync(join(out, 'checkpoint.hgck')).equals(before)).toBe(true);
    rmSync(lock);
    const again = hourglass(trainArgs(out, '--resume', '--epochs', '2'));
    expect(again.code, again.err).toBe(0);
  });

  test('SIGTERM ends a train by that signal and releases the lock', async () => {
    const out = join(tmp, 'term');
    const a = start(trainArgs(out, '--epochs', '200'));
    while (!existsSync(join(out, 'checkpoint.hgck'))) await new Promise((r) => setTimeout(r, 20));
    a.child.kill('SIGTERM');
    const r = await a.done;
    expect(r.signal).toBe('SIGTERM');
    expect(existsSync(lockPath(out))).toBe(false);
    const again = hourglass(trainArgs(out, '--resume', '--epochs', '2'));
    expect(again.code, again.err).toBe(0);
  }, 600_000);
});
