// Never lose a user's data: the real `hourglass` binary on a real temporary file system, tried as
// a careless user and as an adversary would. Every case ends with one line naming the file and
// the problem, a documented non-zero exit that is not the internal-error code, and every earlier
// file intact.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { EXIT } from '../runtime/core/failure';
import { hourglass, writeSmallData, writeTinyVae, finishedRun } from './support/cliHarness';

const tmp = mkdtempSync(join(tmpdir(), 'hourglass-safety-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const spec = writeTinyVae(tmp);
// 160 examples: 128 to train on (4 batches of 32), 32 held out. Values in [0, 1].
const data = writeSmallData(tmp);

const trainArgs = (out: string, ...more: string[]) => ['train', spec, '--data', data, '--out', out, '--epochs', '1', '--batch', '32', '--threads', '1', '--no-typecheck', ...more];

/** Every file under `dir` with its bytes, to compare before and after. */
const snapshot = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p, `${rel}${e.name}/`);
      else out[`${rel}${e.name}`] = readFileSync(p).toString('base64');
    }
  };
  walk(dir, '');
  return out;
};

const oneLine = (r: ReturnType<typeof hourglass>, code: number, ...mentions: (string | RegExp)[]) => {
  expect(r.err.split('\n'), r.err).toHaveLength(1);
  expect(r.err).toMatch(/^hourglass: /);
  for (const m of mentions) expect(r.err).toMatch(m);
  expect(r.code, r.err).toBe(code);
  expect(r.code).not.toBe(EXIT.software);
};

// One finished run; each case works on its own copy.
const { finished, copyRun } = finishedRun(tmp, (dir) => trainArgs(dir, '--checkpoint-every', '2'));

describe('--force removes only what Hourglass created', () => {
  test('a run directory starts with run.json, tagged with its format', () => {
    const rec = JSON.parse(readFileSync(join(finished, 'run.json'), 'utf8'));
    expect(rec.format).toBe('hourglass.run');
    expect(rec.version).toBe(1);
    expect(rec.settings.batch).toBe(32);
    expect(rec.history[0].event).toBe('created');
  });

  test('a folder of the user\'s files is refused, listing what would have gone', () => {
    const photos = join(tmp, 'photos');
    mkdirSync(photos);
    writeFileSync(join(photos, 'holiday.jpg'), 'precious');
    writeFileSync(join(photos, 'notes.txt'), 'also precious');
    const before = snapshot(photos);
    oneLine(hourglass(trainArgs(photos, '--force')), EXIT.cantCreate, 'photos', /not a Hourglass run directory/, /holiday\.jpg, notes\.txt/);
    expect(snapshot(photos)).toEqual(before);
  });

  test('the current directory, a parent of it and the home directory are refused even when they are runs', () => {
    const run = copyRun();
    const before = snapshot(run);
    const inside = join(run, 'artifacts');
    oneLine(hourglass(trainArgs('.', '--force'), { cwd: run }), EXIT.cantCreate, /the current directory/);
    oneLine(hourglass(trainArgs('..', '--force'), { cwd: inside }), EXIT.cantCreate, /a parent of the current directory/);
    oneLine(hourglass(trainArgs(run, '--force'), { env: { HOME: run } }), EXIT.cantCreate, /the home directory/);
    expect(snapshot(run)).toEqual(before);
  });

  test('a replacement that fails (batch larger than the data) leaves the old run whole', () => {
    const run = copyRun();
    const before = snapshot(run);
    oneLine(hourglass(trainArgs(run, '--force', '--batch', '1000')), EXIT.usage, /--batch 1000 is larger than the 128 training examples/);
    expect(snapshot(run)).toEqual(before);
    expect(readdirSync(tmp).filter((n) => n.includes('hourglass-new'))).toEqual([]);
  });

  test('a replacement that diverges before its first checkpoint leaves the old run whole', () => {
    const run = copyRun();
    const before = snapshot(run);
    const r = hourglass(trainArgs(run, '--force', '--optimizer', 'sgd', '--lr', '1e6', '--fuse', '1'));
    oneLine(r, EXIT.dataErr, /training diverged/, /the previous run in .* is unchanged/);
    expect(snapshot(run)).toEqual(before);
    expect(readdirSync(tmp).filter((n) => n.includes('hourglass-'))).toEqual([]);
  });

  test('a replacement that succeeds swaps in the new run and leaves nothing beside it', () => {
    const run = copyRun();
    const old = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')).created;
    const r = hourglass(trainArgs(run, '--force', '--seed', '9'));
    expect(r.code, r.err).toBe(0);
    const rec = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8'));
    expect(rec.settings.seed).toBe(9);
    expect(rec.created).not.toBe(old);
    expect(existsSync(join(run, 'exported', 'encode.onnx'))).toBe(true);
    expect(readdirSync(tmp).filter((n) => n.includes('hourglass-'))).toEqual([]);
  });
});

describe('--out that cannot be a run directory: one line, at once', () => {
  test('an existing file', () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'keep me');
    oneLine(hourglass(trainArgs(file)), EXIT.cantCreate, 'a-file', /not a directory/);
    oneLine(hourglass(trainArgs(file, '--force')), EXIT.cantCreate, 'a-file', /not a directory/);
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  });

  test('a path under a file', () => {
    const file = join(tmp, 'b-file');
    writeFileSync(file, 'x');
    oneLine(hourglass(trainArgs(join(file, 'run'))), EXIT.cantCreate, 'b-file/run', /cannot write here/);
  });

  test('a special file system (/proc)', () => {
    if (!existsSync('/proc/self')) {
      console.log('skipped: this machine has no /proc');
      return;
    }
    oneLine(hourglass(trainArgs('/proc/hourglass-run')), EXIT.cantCreate, '/proc/hourglass-run', /cannot write here/);
  });
});

describe('links where Hourglass writes are refused', () => {
  for (const name of ['checkpoint.hgck.tmp', 'metrics.jsonl.tmp', 'exported', 'metrics.jsonl']) {
    test(`a run whose ${name} is a symbolic link`, () => {
      const run = copyRun();
      const outside = join(tmp, `outside-${name}`);
      if (name === 'exported') {
        mkdirSync(outside);
        rmSync(join(run, 'exported'), { recursive: true });
      } else {
        writeFileSync(outside, 'outside the run');
        rmSync(join(run, name), { force: true });
      }
      symlinkSync(outside, join(run, name));
      const r = hourglass(trainArgs(run, '--resume', '--epochs', '2'));
      oneLine(r, EXIT.cantCreate, name, /symbolic link/);
      if (name === 'exported') expect(readdirSync(outside)).toEqual([]);
      else expect(readFileSync(outside, 'utf8')).toBe('outside the run');
    });
  }
});
