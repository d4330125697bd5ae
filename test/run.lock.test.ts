// The run lock's one exception to "never broken silently": a caller that can prove the holder
// ended (a sweep that reaped its child, or Slurm reporting the holder's task ended) clears it,
// and only that holder's lock.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import * as E from 'fp-ts/Either';
import { afterAll, describe, expect, it } from 'vitest';
import { clearEndedLock, lockHolder, lockPath, lockRun, type Holder } from '../runtime/run/lock';

const tmp = mkdtempSync(join(tmpdir(), 'hourglass-lock-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const plant = (dir: string, h: Holder) => writeFileSync(lockPath(dir), `${JSON.stringify(h)}\n`);

describe('clearEndedLock', () => {
  it('removes exactly the locks whose holder the proof accepts, and says whose', () => {
    let n = 0;
    fc.assert(
      fc.property(
        fc.record({ pid: fc.integer({ min: 1, max: 4_000_000 }), host: fc.constantFrom('vm', 'node-7'), command: fc.constantFrom('train', 'sweep'), slurm: fc.option(fc.constantFrom('12_0', '13_4', '99'), { nil: undefined }) }),
        fc.boolean(),
        (h, ended) => {
          const dir = join(tmp, `run-${n++}`);
          const holder: Holder = { ...h, started: '2026-12-03T00:00:00.000Z', ...(h.slurm === undefined ? {} : { slurm: h.slurm }) };
          plant(dir, holder);
          const before = readFileSync(lockPath(dir), 'utf8');
          const seen: Holder[] = [];
          const line = clearEndedLock(dir, (x) => (seen.push(x), ended ? 'its task ended' : null));
          expect(seen).toEqual([JSON.parse(before)]);
          if (ended) {
            expect(existsSync(lockPath(dir))).toBe(false);
            expect(line).toContain(`pid ${h.pid} on ${h.host}`);
            expect(line).toContain('its task ended');
          } else {
            expect(line).toBeNull();
            expect(readFileSync(lockPath(dir), 'utf8')).toBe(before);
          }
          rmSync(lockPath(dir), { force: true });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('does nothing without a lock, and never calls the proof', () => {
    expect(clearEndedLock(join(tmp, 'free'), () => 'never asked')).toBeNull();
  });

  it('a lock taken inside a Slurm array task names the task, so a sweep can prove it ended', () => {
    const saved = { a: process.env.SLURM_ARRAY_JOB_ID, t: process.env.SLURM_ARRAY_TASK_ID };
    process.env.SLURM_ARRAY_JOB_ID = '41';
    process.env.SLURM_ARRAY_TASK_ID = '3';
    try {
      const dir = join(tmp, 'slurm-task');
      const got = lockRun(dir, 'train');
      if (E.isLeft(got)) throw new Error(got.left.message);
      expect(lockHolder(dir)).toMatchObject({ pid: process.pid, command: 'train', slurm: '41_3' });
      got.right();
      expect(lockHolder(dir)).toBeNull();
    } finally {
      if (saved.a === undefined) delete process.env.SLURM_ARRAY_JOB_ID;
      else process.env.SLURM_ARRAY_JOB_ID = saved.a;
      if (saved.t === undefined) delete process.env.SLURM_ARRAY_TASK_ID;
      else process.env.SLURM_ARRAY_TASK_ID = saved.t;
    }
  });
});
