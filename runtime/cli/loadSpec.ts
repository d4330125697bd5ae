// Load a user's spec: a TypeScript module whose default export is a model. It is type-checked
// first (tsx only strips types), so an ill-shaped model is refused before anything runs.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import * as E from 'fp-ts/Either';
import ts from 'typescript';
import type { ModelDef } from '../../compiler/model';

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  esModuleInterop: true,
  resolveJsonModule: true,
  // Specs may live anywhere: find type definitions in Hourglass's own install.
  typeRoots: [join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '@types')],
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

const asModel = (x: unknown): ModelDef | null => {
  if (typeof x !== 'object' || x === null) return null;
  const o = x as { kind?: string; def?: ModelDef; loss?: unknown; encode?: unknown; decode?: unknown };
  if (o.kind === 'hourglass.autoencoder' && o.def) return o.def;
  return typeof o.loss === 'function' && typeof o.encode === 'function' && typeof o.decode === 'function' ? (x as ModelDef) : null;
};

export const loadSpec = async (path: string, opts: { typecheck: boolean }): Promise<E.Either<string, ModelDef>> => {
  const file = resolve(path);
  if (!existsSync(file)) return E.left(`${path}: no such file`);
  if (opts.typecheck) {
    const errors = typeErrors(file);
    if (errors.length) return E.left(`${path}: does not type-check (${errors.length} error${errors.length > 1 ? 's' : ''}); first: ${errors[0]}`);
  }
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
  return model ? E.right(model) : E.left(`${path}: the default export is not a model (export default autoencoder({...}).objective(...))`);
};
