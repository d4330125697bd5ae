// Spec parameters: a spec may export `params({ latent: 20, beta: 1 }, (p) => model)` instead of a
// model, so one file serves a whole sweep (`hourglass train spec.ts --set latent=10`). The
// defaults stay a plain object, so the names, their types and their defaults are discoverable and
// an error can list them. A default of `Number` or `String` marks a parameter without a default.
import * as E from 'fp-ts/Either';

export type ParamDefault = number | string | NumberConstructor | StringConstructor;
export type ParamDefaults = Readonly<Record<string, ParamDefault>>;

/** The values a build function receives: numbers where the default is numeric, strings otherwise. */
export type ParamValues<D extends ParamDefaults> = {
  readonly [K in keyof D]: D[K] extends number | NumberConstructor ? number : string;
};

/** Resolved parameter values, as recorded in run.json and the manifest. */
export type SpecParams = Readonly<Record<string, number | string>>;

export interface Parameterised<D extends ParamDefaults, M> {
  readonly kind: 'hourglass.parameterised';
  readonly defaults: D;
  readonly build: (p: ParamValues<D>) => M;
}

/** A spec of named parameters: `export default params({ latent: 20 }, (p) => vae(p.latent))`. */
export const params = <const D extends ParamDefaults, M>(defaults: D, build: (p: ParamValues<D>) => M): Parameterised<D, M> => ({
  kind: 'hourglass.parameterised',
  defaults,
  build,
});

export const isParameterised = (x: unknown): x is Parameterised<ParamDefaults, unknown> =>
  typeof x === 'object' && x !== null && (x as { kind?: string }).kind === 'hourglass.parameterised';

const isNumeric = (d: ParamDefault) => typeof d === 'number' || d === Number;

const describe1 = (name: string, d: ParamDefault) =>
  `${name} (${isNumeric(d) ? 'number' : 'string'}${typeof d === 'function' ? ', required' : `, default ${JSON.stringify(d)}`})`;

/** "latent (number, default 20), beta (number, default 1)": what the spec accepts. */
export const describeParams = (defaults: ParamDefaults): string => {
  const names = Object.keys(defaults);
  return names.length ? names.map((n) => describe1(n, defaults[n])).join(', ') : 'no parameters';
};

/**
 * `--set` values (strings) against the defaults: unknown names, missing required ones and
 * non-numbers where a number is expected are refused with a message listing what is accepted.
 */
export const resolveParams = (defaults: ParamDefaults, set: Readonly<Record<string, string>>): E.Either<string, SpecParams> => {
  const accepted = `accepted: ${describeParams(defaults)}`;
  const unknown = Object.keys(set).filter((k) => !Object.hasOwn(defaults, k));
  if (unknown.length) return E.left(`unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (${accepted})`);
  const out: Record<string, number | string> = {};
  for (const [name, d] of Object.entries(defaults)) {
    const raw = Object.hasOwn(set, name) ? set[name] : undefined;
    if (raw === undefined) {
      if (typeof d === 'function') return E.left(`parameter ${name} has no default: pass --set ${name}=<${isNumeric(d) ? 'number' : 'string'}> (${accepted})`);
      out[name] = d;
      continue;
    }
    if (isNumeric(d)) {
      const x = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(x)) return E.left(`parameter ${name} must be a number, got ${JSON.stringify(raw)} (${accepted})`);
      out[name] = x;
    } else out[name] = raw;
  }
  return E.right(out);
};

/** `name=value` strings (repeated --set) to a record; a name given twice is refused. */
export const parseSets = (raw: readonly string[]): E.Either<string, Record<string, string>> => {
  const out: Record<string, string> = {};
  for (const r of raw) {
    const m = /^([A-Za-z_][\w.-]*)=(.*)$/s.exec(r);
    if (!m) return E.left(`--set ${JSON.stringify(r)}: expected name=value`);
    if (Object.hasOwn(out, m[1])) return E.left(`--set ${m[1]} is given twice`);
    out[m[1]] = m[2];
  }
  return E.right(out);
};
