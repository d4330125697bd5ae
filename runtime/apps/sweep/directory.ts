// Opening a sweep directory: a new one gets sweep.json; an existing one must hold a sweep with the
// same spec and training options (its trials may grow: new grid values or seeds are added).
import { existsSync, readFileSync } from 'node:fs';
import * as E from 'fp-ts/Either';
import { isNonEmptyDir, unwritable, writeFileAtomic } from '../../host/fsx';
import type { Trial } from './grid';
import { sweepFiles, type SweepFiles } from './layout';
import type { SweepPlan } from './plan';
import { EXIT } from '../../core/failure';

export interface OpenError {
  readonly message: string;
  /** 2: contradicts the sweep already there; 65: unreadable sweep.json; 73: cannot write. */
  readonly code: typeof EXIT.usage | typeof EXIT.dataErr | typeof EXIT.cantCreate;
}

export const readPlan = (f: SweepFiles): E.Either<OpenError, SweepPlan> => {
  try {
    const p = JSON.parse(readFileSync(f.plan, 'utf8')) as SweepPlan;
    if (p.version !== 1 || !Array.isArray(p.trials)) return E.left({ message: `${f.plan}: not a sweep table of this version`, code: EXIT.dataErr });
    return E.right(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return E.left(code === 'ENOENT' ? { message: `${f.dir}: no sweep here (no sweep.json)`, code: EXIT.dataErr } : { message: `${f.plan}: ${(err as Error).message}`, code: EXIT.dataErr });
  }
};

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The plan to run in `dir`: `wanted`, merged with the trials of a sweep already there. */
export const openSweep = (dir: string, wanted: SweepPlan): E.Either<OpenError, { files: SweepFiles; plan: SweepPlan }> => {
  const f = sweepFiles(dir);
  if (existsSync(f.plan)) {
    const old = readPlan(f);
    if (E.isLeft(old)) return old;
    const o = old.right;
    for (const [what, a, b] of [
      ['spec', o.spec, wanted.spec],
      ['training options', o.trainArgs, wanted.trainArgs],
      ['evaluation', o.evalArgs, wanted.evalArgs],
    ] as const)
      if (!same(a, b))
        return E.left({ message: `${dir}: holds a sweep with another ${what} (${JSON.stringify(a)}, now ${JSON.stringify(b)}); choose another --out`, code: EXIT.usage });
    // Trials already there keep their place; new ones are appended.
    const known = new Set(o.trials.map((t) => t.id));
    const trials: Trial[] = [...o.trials, ...wanted.trials.filter((t) => !known.has(t.id))];
    const plan: SweepPlan = { ...wanted, trials };
    if (!same(plan, o)) writeFileAtomic(f.plan, JSON.stringify(plan, null, 2));
    return E.right({ files: f, plan: { ...plan, trials: wanted.trials } });
  }
  if (isNonEmptyDir(dir)) return E.left({ message: `${dir}: exists, is not empty and holds no sweep (no sweep.json); choose another --out`, code: EXIT.cantCreate });
  const cannot = unwritable(dir);
  if (cannot) return E.left({ message: cannot, code: EXIT.cantCreate });
  writeFileAtomic(f.plan, JSON.stringify(wanted, null, 2));
  return E.right({ files: f, plan: wanted });
};
