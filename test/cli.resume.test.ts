// Resume continues the same run or refuses: settings come from run.json, a contradicting flag
// is named with both values, a lower learning rate (the advice after divergence) is accepted and
// recorded, and a torn metrics line from a crash is dropped with a note. Real CLI, real files.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { afterAll, describe, expect, test } from 'vitest';
import { readCheckpoint } from '../runtime/host/checkpoint';
import { EXIT } from '../runtime/core/failure';
import { encodeNpy } from '../runtime/host/data/npy';
import { hourglass, writeSmallData, writeTinyVae, finishedRun } from './support/cliHarness';

const tmp = mkdtempSync(join(tmpdir(), 'hourglass-resume-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const spec = writeTinyVae(tmp);
const data = writeSmallData(tmp);
const base = (out: string) => ['train', spec, '--data', data, '--out', out, '--threads', '1', '--no-typecheck'];

// One finished run; each case works on its own copy.
const { finished, copyRun } = finishedRun(tmp, (dir) => [...base(dir), '--epochs', '1', '--batch', '32', '--seed', '7', '--fuse', '2']);
const record = (dir: string) => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
const metrics = (dir: string) => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('hourglass train --resume', () => {
  test('takes its settings from run.json, not from the defaults', () => {
    const run = copyRun();
    const r = hourglass([...base(run), '--resume', '--epochs', '2']);
    expect(r.code, r.err).toBe(0);
    // --batch 32 from run.json (the default is 128): 128 training examples make 4 steps.
    expect(metrics(run).map((m) => m.steps)).toEqual([4, 4]);
    const rec = record(run);
    expect(rec.settings.batch).toBe(32);
    expect(rec.settings.epochs).toBe(2);
    expect(rec.history.at(-1)).toMatchObject({ event: 'resumed', step: 4, changed: { epochs: { from: 1, to: 2 } } });
  });

  for (const [flag, value, key, was] of [
    ['--batch', '64', 'batch', '32'],
    ['--seed', '8', 'seed', '7'],
    ['--fuse', '1', 'fuse', '2'],
    ['--binarise', undefined, 'binarise', 'false'],
    ['--optimizer', 'sgd', 'optimizer', 'adam'],
  ] as const) {
    test(`refuses ${flag} that contradicts run.json, naming both values`, () => {
      const run = copyRun();
      const before = readFileSync(join(run, 'checkpoint.hgck'));
      const r = hourglass([...base(run), '--resume', '--epochs', '2', flag, ...(value ? [value] : [])]);
      expect(r.err.split('\n')).toHaveLength(1);
      expect(r.code, r.err).toBe(EXIT.usage);
      expect(r.err).toContain(`${flag} ${value ?? 'true'} contradicts the run being resumed`);
      expect(r.err).toContain(`${key} = ${was}`);
      expect(readFileSync(join(run, 'checkpoint.hgck')).equals(before)).toBe(true);
    });
  }

  test('refuses other data, naming both', () => {
    const run = copyRun();
    const other = join(tmp, 'other.npy');
    writeFileSync(other, encodeNpy(new Float32Array(160 * 784).fill(0.5), [160, 784]));
    const r = hourglass(['train', spec, '--data', other, '--out', run, '--resume', '--no-typecheck']);
    expect(r.code, r.err).toBe(EXIT.usage);
    expect(r.err).toMatch(/--data .*other\.npy contradicts .*data = .*small\.npy/);
  });

  test('accepts a new --lr (not part of the graph hash) and records it in the history', () => {
    const run = copyRun();
    const r = hourglass([...base(run), '--resume', '--epochs', '2', '--lr', '0.0001']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/lr 0\.001 → 0\.0001/);
    const rec = record(run);
    expect(rec.settings.lr).toBe(0.0001);
    expect(rec.history.at(-1).changed.lr).toEqual({ from: 0.001, to: 0.0001 });
    const c = readCheckpoint(join(run, 'checkpoint.hgck'));
    expect(E.isRight(c) && c.right.meta.lr).toBe(0.0001);
  });

  test('drops a torn last line of metrics.jsonl and says so', () => {
    const run = copyRun();
    appendFileSync(join(run, 'metrics.jsonl'), '{"epoch":2,"steps":4,"seco');
    const r = hourglass([...base(run), '--resume', '--epochs', '2']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/metrics\.jsonl: dropped an incomplete last line/);
    expect(metrics(run).map((m) => m.epoch)).toEqual([1, 2]);
  });

  test('refuses a damaged line in the middle of metrics.jsonl, changing nothing', () => {
    const run = copyRun();
    writeFileSync(join(run, 'metrics.jsonl'), `garbage\n${readFileSync(join(run, 'metrics.jsonl'), 'utf8')}`);
    const before = readFileSync(join(run, 'metrics.jsonl'), 'utf8');
    const record = readFileSync(join(run, 'run.json'), 'utf8');
    const r = hourglass([...base(run), '--resume', '--epochs', '2']);
    expect(r.code, r.err).toBe(EXIT.dataErr);
    expect(r.err).toMatch(/metrics\.jsonl: line 1 is not a metrics record/);
    expect(readFileSync(join(run, 'metrics.jsonl'), 'utf8')).toBe(before);
    expect(readFileSync(join(run, 'run.json'), 'utf8')).toBe(record);
  });
});

describe('after divergence', () => {
  test('the message names a checkpoint that exists and a resume command that is accepted', () => {
    const run = join(tmp, 'diverging');
    const r = hourglass([...base(run), '--epochs', '3', '--batch', '32', '--optimizer', 'sgd', '--lr', '3', '--fuse', '1', '--checkpoint-every', '1']);
    expect(r.code, r.err).toBe(EXIT.dataErr);
    const m = /the last good checkpoint is (\S+) \(step (\d+)\) — lower the learning rate and resume: (hourglass train .*)$/.exec(r.err);
    expect(m, r.err).not.toBeNull();
    const [, file, step, command] = m!;
    expect(existsSync(file)).toBe(true);
    const c = readCheckpoint(file);
    expect(E.isRight(c) && c.right.meta.step).toBe(Number(step));
    expect(command).toContain(`--out ${run} --resume --lr 0.3`);
    // Run exactly that command: a lower --lr is not "a different model" any more.
    const again = hourglass(command.split(' ').slice(1));
    expect(again.code, again.err).not.toBe(EXIT.usage);
    expect(again.err).not.toMatch(/spec hash|contradicts/);
  });
});
