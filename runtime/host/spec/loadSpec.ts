// Load a user's spec: a TypeScript module whose default export is a model. It is type-checked
// first (tsx only strips types), so an ill-shaped model is refused before anything runs.
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/Either';
import type ts from 'typescript';
import type { GanDef } from '../../../compiler/gan';
import type { ModelDef } from '../../../compiler/model';
import { CliError, EXIT } from '../../core/failure';
import { SPEC_TIMEOUT_S, probeSpec, specMemoryBudget } from './specProbe';
import { isParameterised, parseSets, resolveParams, type SpecParams } from '../../../dsl/params';

const require = createRequire(import.meta.url);

/**
 * The TypeScript compiler, loaded at the first type-check (it is the largest module the CLI can
 * load), or null where it is not installed: it is an optional peer dependency of the package.
 */
let typescript: typeof ts | null | undefined;
const loadTypeScript = (): typeof ts | null => {
  if (typescript === undefined) {
    try {
      typescript = require('typescript') as typeof ts;
    } catch {
      typescript = null;
    }
  }
  return typescript;
};

/** What to install for type-checking specs, in one line. */
export const TYPESCRIPT_HINT = 'typescript is not installed, so the spec was not type-checked (npm install --save-dev typescript; --no-typecheck silences this)';

/** Where @types/node lives as seen from here, so specs anywhere find Node's types. */
const typeRoots = (): string[] => {
  try {
    return [dirname(dirname(require.resolve('@types/node/package.json')))];
  } catch {
    return [];
  }
};

/** Type errors in the spec file itself, as "file:line:col: message" lines; null without TypeScript. */
export const typeErrors = (file: string): string[] | null => {
  const ts = loadTypeScript();
  if (!ts) return null;
  const program = ts.createProgram([file], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    typeRoots: typeRoots(),
  });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => {
      const msg = ts.flattenDiagnosticMessageText(d.messageText, ' ');
      if (!d.file || d.start === undefined) return msg;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${d.file.fileName}:${line + 1}:${character + 1}: ${msg}`;
    });
};

/** A ModelDef in full (so compileModel never meets a half-formed one), or null. */
const isDef = (x: unknown): x is ModelDef => {
  const o = x as Partial<Record<keyof ModelDef, unknown>> | null;
  return (
    typeof o === 'object' && o !== null && typeof o.name === 'string' && Array.isArray(o.inputShape) &&
    typeof o.loss === 'function' && typeof o.encode === 'function' && typeof o.decode === 'function'
  );
};

const asModel = (x: unknown): ModelDef | null => {
  if (typeof x !== 'object' || x === null) return null;
  const o = x as { kind?: string; def?: unknown };
  if (o.kind === 'hourglass.autoencoder') return isDef(o.def) ? o.def : null;
  return isDef(x) ? x : null;
};

/** The definition inside a `gan({...})` default export, or null. */
export const asGan = (x: unknown): GanDef | null => {
  const o = x as { kind?: string; def?: GanDef } | null;
  return o && typeof o === 'object' && o.kind === 'hourglass.gan' && o.def ? o.def : null;
};

/** An ES module namespace, or its CommonJS rendering by tsx (an object flagged __esModule). */
const isNamespace = (x: unknown) =>
  Object.prototype.toString.call(x) === '[object Module]' || (typeof x === 'object' && x !== null && Object.hasOwn(x, '__esModule') && (x as { __esModule?: unknown }).__esModule === true);

/**
 * Import a spec through tsx, loaded at this moment (not at start-up). tsImport loads it as ESM
 * wherever it lives (a folder without "type": "module" included).
 */
export const importSpec = async (file: string): Promise<unknown> => {
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(file, import.meta.url);
};

/** A spec loaded with its parameters resolved; `params` is empty for a spec without any. */
export interface LoadedSpec {
  readonly model: ModelDef;
  readonly params: SpecParams;
}

/** A spec whose default export is `gan({...})`: two players, compiled together. */
export interface LoadedGan {
  readonly gan: GanDef;
  readonly params: SpecParams;
}

export interface SpecLoadError {
  readonly message: string;
  /** 2 for a parameter problem (usage), 1 otherwise. */
  readonly exitCode: number;
}

export interface LoadOptions {
  readonly typecheck: boolean;
  /** Raw `--set name=value` strings. */
  readonly set?: readonly string[];
  /** Seconds the spec may take to load (default SPEC_TIMEOUT_S). */
  readonly timeout?: number;
  /** Inside the probe's worker: load without probing again. */
  readonly inProbe?: boolean;
  /** --max-memory in bytes: also the most the spec's evaluation may use (specProbe.ts). */
  readonly maxMemory?: number;
}

const usage = (message: string): SpecLoadError => ({ message, exitCode: EXIT.usage });

/** A plain function export takes the --set values as they are, numbers where they parse as one. */
const coerce = (set: Readonly<Record<string, string>>): SpecParams =>
  Object.fromEntries(Object.entries(set).map(([k, v]) => [k, v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v]));

/**
 * Load a spec and apply its parameters: the default export is a model, `params(defaults, build)`
 * (names checked against the defaults), or a plain function of a parameter object (unchecked).
 */
export const loadSpecWithParams = (path: string, opts: LoadOptions): Promise<E.Either<SpecLoadError, LoadedSpec>> =>
  load(path, opts, false) as Promise<E.Either<SpecLoadError, LoadedSpec>>;

/** As loadSpecWithParams, but a GAN spec is accepted too (what `hourglass compile` writes out). */
export const loadCompilable = (path: string, opts: LoadOptions): Promise<E.Either<SpecLoadError, LoadedSpec | LoadedGan>> => load(path, opts, true);

const load = async (path: string, opts: LoadOptions, acceptGan: boolean): Promise<E.Either<SpecLoadError, LoadedSpec | LoadedGan>> => {
  const sets = parseSets(opts.set ?? []);
  if (E.isLeft(sets)) return E.left(usage(sets.left));
  const fail = (message: string): E.Either<SpecLoadError, never> => E.left({ message, exitCode: EXIT.dataErr });
  const file = resolve(path);
  if (!existsSync(file)) return E.left({ message: `${path}: no such file`, exitCode: EXIT.noInput });
  // A FIFO would block the import forever: only regular files are specs.
  if (!statSync(file).isFile()) return fail(`${path}: is not a regular file (a pipe, device or directory); give a .ts module`);
  if (opts.typecheck) {
    const errors = typeErrors(file);
    if (errors === null) console.error(`hourglass: note: ${TYPESCRIPT_HINT}`);
    else if (errors.length) return fail(`${path}: does not type-check (${errors.length} error${errors.length > 1 ? 's' : ''}); first: ${errors[0]}`);
  }
  // An endless spec is stopped in a worker before it can hang this process.
  if (!opts.inProbe) {
    const probe = await probeSpec(file, opts.timeout ?? SPEC_TIMEOUT_S, { module: fileURLToPath(import.meta.url), set: opts.set ?? [] }, specMemoryBudget(opts.maxMemory));
    // An allocation the worker could not get would fail here too, and take this process with it.
    if (!probe.ok && (probe.outOfMemory || /allocation failed|out of memory/i.test(probe.message)))
      return E.left({ message: `${path}: ${probe.outOfMemory ? probe.message : `ran out of memory while loading and building (${probe.message})`}`, exitCode: EXIT.noMemory });
    if (!probe.ok && (probe.timedOut || probe.exited)) return fail(`${path}: ${probe.message}`);
  }
  let mod: { default?: unknown };
  try {
    mod = (await importSpec(file)) as { default?: unknown };
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    // esbuild's syntax errors come as "Transform failed…" then "file:line:col: ERROR: why",
    // the column counted from 0; editors count from 1.
    const at = /([^\s]+):(\d+):(\d+): ERROR: (.*)/.exec(text);
    if (at) return fail(`${path}:${at[2]}:${Number(at[3]) + 1}: syntax error: ${at[4]}`);
    return fail(`${path}: cannot load (${text.split('\n')[0]})`);
  }
  // A spec outside an ESM package arrives through CommonJS interop, its export one level down.
  const inner = typeof mod.default === 'object' && mod.default !== null ? (mod.default as { default?: unknown }).default : undefined;
  const exported = mod.default !== undefined && (asModel(mod.default) || isParameterised(mod.default) || typeof mod.default === 'function') ? mod.default : inner ?? mod.default;
  let built: unknown = exported;
  let params: SpecParams = {};
  try {
    if (isParameterised(exported)) {
      const resolved = resolveParams(exported.defaults, sets.right);
      if (E.isLeft(resolved)) return E.left(usage(`${path}: ${resolved.left}`));
      params = resolved.right;
      built = exported.build(params as never);
    } else if (typeof exported === 'function' && !asModel(exported)) {
      params = coerce(sets.right);
      built = (exported as (p: SpecParams) => unknown)(params);
    } else if (Object.keys(sets.right).length)
      return E.left(usage(`${path}: takes no parameters, but --set ${Object.keys(sets.right).join(', ')} was given (export default params({...}, (p) => model) to declare some)`));
  } catch (err) {
    // A build function that throws on its parameters is refusing a value: a usage error.
    const why = `${path}: building the model failed`;
    if (Object.keys(params).length) return E.left(usage(`${why} with ${Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ')} (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`));
    return fail(`${why} (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
  const model = asModel(built);
  const gan = acceptGan && !model ? asGan(built) : null;
  if (gan) return E.right({ gan, params });
  // What the user wrote after `export default`: one level down when the spec came through CommonJS.
  const written = isNamespace(mod.default) && 'default' in (mod.default as object) ? inner : mod.default;
  if (!model && isNamespace(written))
    return fail(`${path}: the default export is a module namespace (import * as …), not a model; export the model itself: export default autoencoder({...}).objective(...)`);
  if (!model) return fail(`${path}: the default export is not a model${acceptGan ? ' or a GAN' : ''} (export default autoencoder({...}).objective(...)${acceptGan ? ', gan({...})' : ''}, or params({...}, (p) => model))`);
  // The manifest records the parameters the model was built with.
  return E.right({ model: Object.keys(params).length ? withParams(model, params) : model, params });
};

/** A copy carrying `specParams`; ModelDef may hold getters (codeShape is known once the loss is built), kept as getters. */
const withParams = (m: ModelDef, params: SpecParams): ModelDef =>
  Object.create(Object.getPrototypeOf(m), { ...Object.getOwnPropertyDescriptors(m), specParams: { value: params, enumerable: true } }) as ModelDef;

export const loadSpec = async (path: string, opts: LoadOptions): Promise<E.Either<string, ModelDef>> =>
  E.mapLeft((e: SpecLoadError) => e.message)(E.map((l: LoadedSpec) => l.model)(await loadSpecWithParams(path, opts)));

/**
 * The probe worker's build step: load with the --set values, then compile once, so a spec's
 * build function, layers and objective all run under --spec-timeout. Failures are left to the
 * real load after it.
 */
export const buildInProbe = async (file: string, set: readonly string[]): Promise<void> => {
  const r = await loadSpecWithParams(file, { typecheck: false, set, inProbe: true });
  if (E.isLeft(r)) return;
  const { compileModel } = await import('../../../compiler/compile');
  try {
    compileModel(r.right.model, { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} }, dtype: 'f32' });
  } catch {
    // The real load reports it.
  }
};

/** Commander's collector for the repeatable `--set name=value`. */
export const collectSet = (value: string, previous: readonly string[] = []): string[] => [...previous, value];

export const SET_HELP = 'spec parameter, repeatable (a spec exporting params({...}, build) lists what it accepts)';

/** Load for a CLI command: a parameter problem exits 2, a missing spec 66, any other failure 65. */
export const loadSpecOrFail = async (path: string, opts: LoadOptions): Promise<LoadedSpec> => {
  const r = await loadSpecWithParams(path, opts);
  if (E.isLeft(r)) throw new CliError(r.left.message, r.left.exitCode);
  return r.right;
};

/** The exit code for a loadSpec failure: a missing spec is missing input, the rest bad content. */
export const specExit = (message: string): number => (message.endsWith(': no such file') ? EXIT.noInput : EXIT.dataErr);
