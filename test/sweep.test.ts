// hourglass sweep: the grid and its trial ids (properties), the summary statistics, and the local
// engine end to end on a tiny VAE: a 2 × 2 sweep, a rerun that skips, Ctrl-C and resume.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test as prop } from '@fast-check/vitest';
import * as E from 'fp-ts/Either';
import { afterAll, describe, expect, test } from 'vitest';
import { expand, parseAxes, parseAxis, parseSeeds, points } from '../runtime/apps/sweep/grid';
import { execFileSync } from 'node:child_process';
import { collectTrial, flatten } from '../runtime/apps/sweep/collect';
import { sweepFiles } from '../runtime/apps/sweep/layout';
import { parseEvalList, pointArgs, trainArgv, type SweepPlan } from '../runtime/apps/sweep/plan';
import { arrayScript } from '../runtime/apps/sweep/slurm';
import { mean, std, summarise, type TrialResult } from '../runtime/apps/sweep/summary';
import { hourglass, hourglassBackground, processesMentioning, waitFor, writeTinySpec } from './support/sweepHarness';

const value = fc.oneof(fc.integer({ min: -1000, max: 1000 }).map(String), fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !s.includes(',') && s.trim() === s && s !== ''));
const axis = fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/), values: fc.uniqueArray(value, { minLength: 1, maxLength: 4 }) });
const axes = fc.uniqueArray(axis, { maxLength: 3, selector: (a) => a.name });
const seeds = fc.uniqueArray(fc.integer({ min: -5, max: 50 }), { minLength: 1, maxLength: 4 });

describe('grid', () => {
  prop.prop([axes, seeds])('one trial per grid point and seed, with distinct, file-name-safe ids', (as, ss) => {
    const trials = expand(as, ss);
    expect(trials).toHaveLength(as.reduce((n, a) => n * a.values.length, 1) * ss.length);
    expect(new Set(trials.map((t) => t.id)).size).toBe(trials.length);
    for (const t of trials) {
      expect(t.id).not.toMatch(/[/\0]/);
      expect(t.id.startsWith('.')).toBe(false);
      expect(t.id.length).toBeLessThan(255);
    }
  });

  prop.prop([axes, seeds])('ids depend only on the parameters: the same point gets the same id in any grid that holds it', (as, ss) => {
    const a = expand(as, ss);
    const b = expand(as.map((x) => ({ ...x, values: [...x.values].reverse() })), [...ss].reverse());
    const byKey = (ts: typeof a) => new Map(ts.map((t) => [JSON.stringify([t.point.map(([k, v]) => `${k}=${v}`).sort(), t.seed]), t.id]));
    expect(byKey(b)).toEqual(byKey(a));
  });

  prop.prop([axis])('--set text parses back to its axis', (a) => {
    expect(parseAxis(`${a.name}=${a.values.join(',')}`)).toEqual(E.right(a));
  });

  test('bad --set and --seeds are reasons, not crashes', () => {
    expect(E.isLeft(parseAxis('k'))).toBe(true);
    expect(E.isLeft(parseAxis('k=1,,2'))).toBe(true);
    expect(E.isLeft(parseAxis('k=1,1'))).toBe(true);
    expect(E.isLeft(parseAxes(['k=1', 'k=2']))).toBe(true);
    expect(parseSeeds('3')).toEqual(E.right([1, 2, 3]));
    expect(parseSeeds('4,7')).toEqual(E.right([4, 7]));
    expect(E.isLeft(parseSeeds('0'))).toBe(true);
    expect(E.isLeft(parseSeeds('1.5'))).toBe(true);
  });

  test('train options stay flags, spec parameters become --set; --eval items become options', () => {
    expect(points([{ name: 'k', values: ['10', '25'] }, { name: 'lr', values: ['1e-3'] }]).map(pointArgs)).toEqual([
      ['--set', 'k=10', '--lr', '1e-3'],
      ['--set', 'k=25', '--lr', '1e-3'],
    ]);
    expect(parseEvalList('iwae=100,probe')).toEqual(['--iwae', '100', '--probe']);
    expect(typeof parseEvalList('iwae=1,=x')).toBe('string');
  });
});

describe('the Slurm batch script', () => {
  // Values with quotes, spaces and $ must reach `hourglass train` unchanged through bash.
  const nasty = fc.string({ minLength: 1, maxLength: 8 }).filter((v) => !v.includes(',') && !v.includes('\0') && v.trim() === v);
  prop.prop([fc.uniqueArray(nasty, { minLength: 1, maxLength: 3 })], { numRuns: 8 })('is valid bash, and task i gets trial i and its exact arguments', (values) => {
    const trials = expand([{ name: 'tag', values }], [1]);
    const f = sweepFiles("/shared/it's here/sweep $HOME");
    const plan: SweepPlan = { version: 1, spec: '/specs/a b.ts', trainArgs: ['--data', 'mnist'], evalArgs: null, threads: 1, axes: [{ name: 'tag', values }], seeds: [1], trials };
    const script = arrayScript(plan, f, trials.map((t) => t.id));
    // Run only the part that picks the trial: everything before the writable check, then the case.
    const pick = script.slice(0, script.indexOf('# The sweep directory')) + script.slice(script.indexOf('case $i in'), script.indexOf('export CI=1')) + 'printf "%s\\n" "$id" "${train[@]}"\n';
    for (const [i, t] of trials.entries()) {
      const out = execFileSync('bash', ['-c', pick], { env: { SLURM_ARRAY_TASK_ID: String(i), PATH: process.env.PATH }, encoding: 'utf8' });
      expect(out.split('\n').slice(1, -1)).toEqual([t.id, process.execPath, expect.stringMatching(/bin\/hourglass\.js$/), ...trainArgv(plan, t, f.run(t.id))]);
    }
    execFileSync('bash', ['-n'], { input: script });
  });
});

describe('summary', () => {
  test('evaluate --json becomes dotted metric names, counts and settings left out', () => {
    expect(flatten({ n: 5, objective: { terms: { loss: 2, kl: 1 }, spread: { loss: 0 }, samples: 1 }, iwae: { iwae: -90, k: 50 }, notes: ['x'], model: 'm' })).toEqual({
      'objective.terms.loss': 2,
      'objective.terms.kl': 1,
      'iwae.iwae': -90,
    });
    expect(collectTrial(sweepFiles('/nonexistent'), expand([], [1])[0]).finished).toBe(false);
  });

  const trial = (pointId: string, seed: number, loss: number, finished = true): TrialResult => ({
    id: `${pointId},seed=${seed}`,
    pointId,
    point: [['k', pointId]],
    seed,
    finished,
    metrics: { 'heldOut.loss': loss },
    seconds: 1,
    curves: {},
  });

  prop.prop([fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 20 })])('std is the sample standard deviation', (xs) => {
    const m = mean(xs);
    expect(std(xs)).toBeCloseTo(Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)), 6);
    expect(std(xs.map((x) => x + 7))).toBeCloseTo(std(xs), 3);
  });

  prop.prop([fc.array(fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 })])(
    'the best point has the lowest mean loss, and only finished trials count',
    (losses) => {
      const trials = losses.flatMap((ls, p) => [...ls.map((l, s) => trial(String(p), s, l)), trial(String(p), 99, -1e9, false)]);
      const rows = summarise(trials, { metric: 'heldOut.loss', goal: 'min' });
      expect(rows.filter((r) => r.best)).toHaveLength(1);
      const best = rows.find((r) => r.best)!;
      for (const r of rows) expect(best.mean['heldOut.loss']).toBeLessThanOrEqual(r.mean['heldOut.loss']);
      for (const [p, ls] of losses.entries()) expect(rows[p].mean['heldOut.loss']).toBeCloseTo(mean(ls), 9);
    },
  );
});

describe('hourglass sweep, local engine', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hourglass-sweep-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const spec = writeTinySpec(tmp);
  // Each trial is two processes (train, evaluate); on a loaded 2-core machine that is slow.
  const slow = { timeout: 600_000 };
  const base = ['sweep', spec, '--data', 'shapes:1024', '--epochs', '2', '--batch', '32', '--no-typecheck'];

  test('a 2 × 2 sweep (spec parameter × seeds) trains every trial, summarises per grid point, and a rerun skips them', slow, () => {
    const out = join(tmp, 'grid');
    const r = hourglass([...base, '--set', 'hidden=8,16', '--seeds', '2', '--parallel', '2', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const trials = ['hidden=8,seed=1', 'hidden=8,seed=2', 'hidden=16,seed=1', 'hidden=16,seed=2'];
    for (const id of trials) {
      expect(existsSync(join(out, id, 'metrics.jsonl'))).toBe(true);
      expect(readFileSync(join(out, id, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
      const run = JSON.parse(readFileSync(join(out, id, 'run.json'), 'utf8'));
      expect(run.settings.seed).toBe(Number(id.slice(-1)));
      expect(run.params.hidden).toBe(Number(/hidden=(\d+)/.exec(id)![1]));
    }
    const csv = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[0]).toMatch(/^hidden,seeds,finished,heldOut\.loss\.mean,heldOut\.loss\.std,.*,best$/);
    // The mean in summary.csv is the mean of the trials' last held-out losses.
    const last = (id: string) => JSON.parse(readFileSync(join(out, id, 'metrics.jsonl'), 'utf8').trim().split('\n')[1]).heldOut.loss as number;
    const row = csv[1].split(',');
    expect(row.slice(0, 3)).toEqual(['8', '2', '2']);
    expect(Number(row[3])).toBeCloseTo((last(trials[0]) + last(trials[1])) / 2, 2);
    expect(csv.filter((l) => l.endsWith(',1'))).toHaveLength(1);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('**best**');
    // Each trial was evaluated on its held-out rows (hourglass evaluate --json).
    for (const id of trials) expect(JSON.parse(readFileSync(join(out, 'evals', `${id}.json`), 'utf8')).split).toBe('held-out');
    expect(csv[0]).toContain(',objective.terms.loss.mean,objective.terms.loss.std,');
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('<polyline');
    expect(r.out).toContain('| hidden | seeds |');

    const again = hourglass([...base, '--set', 'hidden=8,16', '--seeds', '2', '--out', out]);
    expect(again.code, again.err).toBe(0);
    expect(again.err).toContain('4 finished already, 0 to resume, 0 to start');
    expect(readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n')).toEqual(csv);
  });

  test('contradicting the sweep already in --out, or a fixed option that is also an axis, is a usage error', slow, () => {
    const out = join(tmp, 'grid');
    const r = hourglass([...base.map((a) => (a === '2' ? '3' : a)), '--set', 'hidden=8', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toMatch(/^hourglass: .*another training options/);
    const both = hourglass([...base, '--lr', '1e-3', '--set', 'lr=1e-3,3e-3', '--out', join(tmp, 'both')]);
    expect(both.code).toBe(2);
    expect(both.err.trim()).toMatch(/--lr is both a fixed option and a grid axis/);
    const bad = hourglass([...base, '--set', 'hidden', '--out', join(tmp, 'bad')]);
    expect(bad.code).toBe(2);
    expect(bad.err.trim()).toBe('hourglass: --set "hidden": expected name=value[,value…]');
    // The spec is loaded for every grid point before any trial starts: an unknown parameter is one usage error.
    const unknown = hourglass([...base, '--set', 'nope=1,2', '--out', join(tmp, 'unknown')]);
    expect(unknown.code).toBe(2);
    expect(unknown.err.trim()).toMatch(/^hourglass: sweep: .*nope/);
    expect(existsSync(join(tmp, 'unknown'))).toBe(false);
    const cancel = hourglass(['sweep', '--out', out, '--cancel']);
    expect(cancel.code).toBe(66);
    expect(cancel.err.trim()).toMatch(/^hourglass: .*: no Slurm job of this sweep recorded/);
  });

  test('Ctrl-C ends every trial process; the rerun resumes from the checkpoints and ends where an uninterrupted sweep ends', slow, async () => {
    const long = ['sweep', spec, '--data', 'shapes:4096', '--epochs', '4', '--batch', '32', '--checkpoint-every', '16', '--no-typecheck', '--no-eval', '--set', 'lr=2e-3'];
    const out = join(tmp, 'interrupted');
    const { child, ended } = hourglassBackground([...long, '--out', out]);
    const run = join(out, 'lr=2e-3,seed=1');
    await waitFor('a checkpoint', () => existsSync(join(run, 'checkpoint.hgck')));
    child.kill('SIGINT');
    const stopped = await ended;
    expect(stopped.code, stopped.err).toBe(130);
    expect(stopped.err).toMatch(/interrupted; 0\/1 trials finished/);
    expect(processesMentioning(out)).toEqual([]);
    expect(readdirSync(join(out, 'status'))).toEqual([]);

    const resumed = hourglass([...long, '--out', out]);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toContain('1 to resume');
    expect(readFileSync(join(out, 'logs', 'lr=2e-3,seed=1.log'), 'utf8')).toMatch(/resuming .* at step \d+/);

    const straight = join(tmp, 'straight');
    expect(hourglass([...long, '--out', straight]).code).toBe(0);
    expect(readFileSync(join(out, 'summary.csv'), 'utf8')).toBe(readFileSync(join(straight, 'summary.csv'), 'utf8'));
  });
});
