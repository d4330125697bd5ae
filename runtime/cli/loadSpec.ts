// Load a user's spec: a TypeScript module whose default export is a model. It is type-checked
// first (tsx only strips types), so an ill-shaped model is refused before anything runs.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import * as E from 'fp-ts/Either';
import ts from 'typescript';
import type { ModelDef } from '../../compiler/model';
import { EXIT } from './fail';
import { SPEC_TIMEOUT_S, probeSpec } from './specProbe';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  esModuleInterop: true,
  resolveJsonModule: true,
  // Specs may live anywhere: find type definitions in Hourglass's own install, or next to it
  // when it is itself installed as a package (node_modules/hourglass beside node_modules/@types).
  typeRoots: [join(ROOT, 'node_modules', '@types'), join(ROOT, '..', '@types')],
};

/** Type errors in the spec file itself, as "file:line:col: message" lines. */
export const typeErrors = (file: string): string[] => {
  const program = ts.createProgram([file], OPTIONS);
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

/** An ES module namespace, or its CommonJS rendering by tsx (an object flagged __esModule). */
const isNamespace = (x: unknown) =>
  Object.prototype.toString.call(x) === '[object Module]' || (typeof x === 'object' && x !== null && Object.hasOwn(x, '__esModule') && (x as { __esModule?: unknown }).__esModule === true);

export const loadSpec = async (path: string, opts: { typecheck: boolean; timeout?: number }): Promise<E.Either<string, ModelDef>> => {
  const file = resolve(path);
  if (!existsSync(file)) return E.left(`${path}: no such file`);
  if (opts.typecheck) {
    const errors = typeErrors(file);
    if (errors.length) return E.left(`${path}: does not type-check (${errors.length} error${errors.length > 1 ? 's' : ''}); first: ${errors[0]}`);
  }
  // An endless spec is stopped in a worker before it can hang this process.
  const probe = await probeSpec(file, opts.timeout ?? SPEC_TIMEOUT_S);
  if (!probe.ok && probe.timedOut) return E.left(`${path}: ${probe.message}`);
  let mod: { default?: unknown };
  try {
    // tsImport loads the spec as ESM wherever it lives (a folder without "type": "module" included).
    mod = (await tsImport(file, import.meta.url)) as { default?: unknown };
  } catch (err) {
    return E.left(`${path}: cannot load (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
  // A spec outside an ESM package arrives through CommonJS interop, its export one level down.
  const inner = typeof mod.default === 'object' && mod.default !== null ? (mod.default as { default?: unknown }).default : undefined;
  const model = asModel(mod.default) ?? asModel(inner);
  if (model) return E.right(model);
  // What the user wrote after `export default`: one level down when the spec came through CommonJS.
  const exported = isNamespace(mod.default) && 'default' in (mod.default as object) ? inner : mod.default;
  if (isNamespace(exported))
    return E.left(`${path}: the default export is a module namespace (import * as …), not a model; export the model itself: export default autoencoder({...}).objective(...)`);
  return E.left(`${path}: the default export is not a model (export default autoencoder({...}).objective(...))`);
};

/** The exit code for a loadSpec failure: a missing spec is missing input, the rest bad content. */
export const specExit = (message: string): number => (message.endsWith(': no such file') ? EXIT.noInput : EXIT.dataErr);
