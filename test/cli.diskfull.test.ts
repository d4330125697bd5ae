// Writes that cannot tear: a full disk at every write site of a train (injected through the fs
// helper's HOURGLASS_FAULT seam, and for real on a small tmpfs where one can be mounted) ends
// with EXIT.noSpace in one line naming the path and the bytes, leaves no temporary file and no
// torn file under a final name, and once space is free the run resumes (or restarts) to exactly
// the bytes of an uninterrupted run. Short writes are looped to completion.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readCheckpoint } from '../runtime/host/checkpoint';
import { EXIT } from '../runtime/core/failure';
import { hourglass, writeSmallData, writeTinyVae } from './support/cliHarness';

const tmp = mkdtempSync(join(tmpdir(), 'hourglass-diskfull-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const spec = writeTinyVae(tmp);
const data = writeSmallData(tmp);
const trainArgs = (out: string, ...more: string[]) =>
  ['train', spec, '--data', data, '--out', out, '--epochs', '2', '--batch', '32', '--seed', '5', '--checkpoint-every', '2', '--fuse', '2', '--threads', '1', '--no-typecheck', ...more];

/** Every file under `dir`, relative path → bytes. */
const files = (dir: string): Record<string, Buffer> => {
  const out: Record<string, Buffer> = {};
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
      else out[`${rel}${e.name}`] = readFileSync(join(d, e.name));
    }
  };
  if (existsSync(dir)) walk(dir, '');
  return out;
};

const straight = join(tmp, 'straight');
beforeAll(() => {
  const r = hourglass(trainArgs(straight));
  expect(r.code, r.err).toBe(0);
});

/**
 * No temporary file, and every file under a final name whole: the same bytes as the
 * uninterrupted run's (or as `before`, the run's files before this command), a readable
 * checkpoint, or whole JSON.
 */
const noTornFile = (run: string, before: Record<string, Buffer> = {}) => {
  const ref = files(straight);
  for (const [name, bytes] of Object.entries(files(run))) {
    expect(name, 'a temporary file was left behind').not.toMatch(/\.tmp$/);
    if (name === 'checkpoint.hgck') expect(E.isRight(readCheckpoint(join(run, name))), name).toBe(true);
    else if (name === 'run.json') expect(() => JSON.parse(bytes.toString())).not.toThrow();
    else if (name === 'metrics.jsonl') for (const l of bytes.toString().split('\n').filter(Boolean)) expect(() => JSON.parse(l), l).not.toThrow();
    else expect(bytes.equals(ref[name]) || (before[name]?.equals(bytes) ?? false), `${name} is torn (${bytes.length} of ${ref[name]?.length} bytes)`).toBe(true);
  }
};

/** The run ended exactly where the uninterrupted one did: weights, optimizer state, metrics. */
const sameAsStraight = (run: string) => {
  const a = readCheckpoint(join(straight, 'checkpoint.hgck'));
  const b = readCheckpoint(join(run, 'checkpoint.hgck'));
  if (E.isLeft(a) || E.isLeft(b)) throw new Error('unreadable checkpoint');
  expect(b.right.meta.step).toBe(a.right.meta.step);
  for (const [name, t] of Object.entries(a.right.tensors)) expect(Buffer.from(b.right.tensors[name].buffer).equals(Buffer.from(t.buffer)), name).toBe(true);
  const metrics = (dir: string) => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => ({ ...JSON.parse(l), seconds: 0 }));
  expect(metrics(run)).toEqual(metrics(straight));
  const ref = files(straight);
  for (const [name, bytes] of Object.entries(files(run))) if (name.startsWith('exported/') || name.startsWith('artifacts/')) expect(bytes.equals(ref[name]), name).toBe(true);
};

/** After the failure: resume from the checkpoint if there is one, else start again. */
const recover = (run: string) => {
  const how = existsSync(join(run, 'checkpoint.hgck')) ? ['--resume'] : existsSync(join(run, 'run.json')) ? ['--force'] : [];
  const r = hourglass(trainArgs(run, ...how));
  expect(r.code, `${how.join(' ')}: ${r.err}`).toBe(0);
  sameAsStraight(run);
};

describe('a full disk at every write site of train', () => {
  // The nth write of each file name: run.json, the first artifact, the manifest, the first
  // metrics line (write 1 is the empty file), the second checkpoint, the exported graph
  // (artifacts/reconstruct.onnx is write 1) and the exported model.json.
  const sites = ['run.json', 'train_steps.onnx', 'manifest.json', 'metrics.jsonl:2', 'checkpoint.hgck:1', 'checkpoint.hgck:3', 'reconstruct.onnx:2', 'model.json'];
  for (const site of sites) {
    test(`ENOSPC at ${site}: exit ${EXIT.noSpace} naming the path and bytes, nothing torn, then bit-exact`, () => {
      const run = join(tmp, `enospc-${site.replace(':', '-')}`);
      const r = hourglass(trainArgs(run), { env: { HOURGLASS_FAULT: `enospc:${site}` } });
      expect(r.code, r.err).toBe(EXIT.noSpace);
      const last = r.err.split('\n').at(-1)!;
      expect(last).toMatch(new RegExp(`^hourglass: \\S*${site.split(':')[0].replace('.', '\\.')}: no space left on the device \\(ENOSPC\\) writing \\d+ bytes`));
      noTornFile(run);
      recover(run);
    }, 600_000);
  }

  test('short writes everywhere are looped to the last byte', () => {
    const run = join(tmp, 'short');
    const r = hourglass(trainArgs(run), { env: { HOURGLASS_FAULT: 'short:*' } });
    expect(r.code, r.err).toBe(0);
    sameAsStraight(run);
  });
});

/** Mount a small tmpfs at `dir`, or say why not (not root, no CAP_SYS_ADMIN, no mount). */
const mountTmpfs = (dir: string, bytes: number): string | null => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return (err as { stderr?: Buffer }).stderr?.toString().trim() || String(err);
  }
};

describe('a real full tmpfs', () => {
  const mnt = join(tmp, 'mnt');
  mkdirSync(mnt);
  const why = mountTmpfs(mnt, 4 << 20);
  if (why) console.log(`skipping the real-tmpfs case: cannot mount a tmpfs here (${why})`);
  afterAll(() => {
    if (!why) execFileSync('umount', [mnt]);
  });

  // Free space left when the resume starts: none (fails at the lock or run.json), and less than a
  // checkpoint (fails at the first checkpoint; more than one checkpoint passes every site, since
  // the checkpoint is the largest file and each temporary file replaces its old one).
  for (const free of [0, 60_000]) {
    test.skipIf(why !== null)(`--resume with ${free} bytes free: exit ${EXIT.noSpace}, nothing torn; after freeing space, bit-exact`, () => {
      const run = join(mnt, `run-${free}`);
      const first = hourglass([...trainArgs(run), '--epochs', '1']);
      expect(first.code, first.err).toBe(0);
      const filler = join(mnt, 'filler');
      const st = statfsSync(mnt);
      writeFileSync(filler, Buffer.alloc(Math.max(0, Number(st.bavail) * Number(st.bsize) - free)));
      const before = files(run);
      try {
        const r = hourglass(trainArgs(run, '--resume'));
        expect(r.code, r.err).toBe(EXIT.noSpace);
        expect(r.err.split('\n').at(-1)).toMatch(/\(ENOSPC\b/);
        noTornFile(run, before);
      } finally {
        rmSync(filler);
      }
      recover(run);
      rmSync(run, { recursive: true });
    }, 600_000);
  }
});
