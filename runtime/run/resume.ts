// What a resumed run trains with: the settings recorded in run.json. A flag given on the
// command line must agree with them, except the few a resume may change on purpose (recorded
// in run.json's history); the rest would silently make it a different run.
import * as E from 'fp-ts/Either';
import { EXIT, failure, type Failure } from '../core/failure';

/** Settings a resume may change: the learning rate and how long to train. */
export const CHANGEABLE = ['lr', 'epochs'] as const;
/** Settings that change where and how fast, not what is computed. */
export const FREE = ['threads', 'provider'] as const;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
const flag = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export interface Reconciled<S> {
  readonly settings: S;
  readonly changed: Record<string, { from: unknown; to: unknown }>;
}

/**
 * Merge the recorded settings with the given ones. `explicit` names the settings the user set
 * (all of them when undefined, as for library calls); the others come from the record.
 */
export const reconcile = <S extends object>(
  recorded: Readonly<Record<string, unknown>>,
  given: S,
  explicit: ReadonlySet<string> | undefined,
  runJson: string,
): E.Either<Failure, Reconciled<S>> => {
  const out: Record<string, unknown> = { ...(given as Record<string, unknown>) };
  const changed: Record<string, { from: unknown; to: unknown }> = {};
  const keys = new Set([...Object.keys(recorded), ...Object.keys(given)]);
  for (const key of keys) {
    const was = recorded[key];
    const now = (given as Record<string, unknown>)[key];
    const set = explicit ? explicit.has(key) : now !== undefined;
    if (!set) {
      if (key in recorded) out[key] = was;
      continue;
    }
    if ((FREE as readonly string[]).includes(key) || same(was, now)) continue;
    if ((CHANGEABLE as readonly string[]).includes(key)) {
      changed[key] = { from: was, to: now };
      continue;
    }
    return E.left(
      failure(
        EXIT.usage,
        `${flag(key)} ${show(now)} contradicts the run being resumed (${runJson} has ${key} = ${show(was)}); drop the flag or start a new run with --out elsewhere`,
      ),
    );
  }
  return E.right({ settings: out as S, changed });
};
