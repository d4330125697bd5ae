// Build dist/, the published JavaScript: tsc with tsconfig.build.json (.js, .d.ts, source maps),
// its relative import specifiers made explicit as Node's ESM loader requires (./x → ./x.js,
// ./dir → ./dir/index.js). The sources keep their extensionless imports, which tsx, vitest and
// the `Bundler` resolution of tsconfig.json read as they are, so only the emitted files change.
// The page's sources (bundled by `serve`) and data files are copied beside the compiled tree, so
// dist/ is whole on its own: paths a module finds from its own location (../../web) are the same
// in dist/ as in the checkout.
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const started = Date.now();

if (existsSync(dist) && lstatSync(dist).isSymbolicLink()) {
  console.error('build: dist is a symbolic link; not writing through it');
  process.exit(1);
}
rmSync(dist, { recursive: true, force: true });

const configPath = join(root, 'tsconfig.build.json');
const read = ts.readConfigFile(configPath, ts.sys.readFile);
if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
const config = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });

const require = createRequire(join(root, 'package.json'));

/**
 * A package subpath as Node's ESM loader finds it. A package without an `exports` map (fp-ts 2)
 * reaches `fp-ts/Either` through a folder holding a package.json for bundlers, which Node does
 * not read: the import names the file that folder's `main` points at (fp-ts/lib/Either.js).
 */
const packageSubpath = (spec) => {
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  const sub = spec.slice(name.length + 1);
  if (!sub) return undefined;
  let manifest;
  try {
    manifest = require.resolve(`${name}/package.json`);
  } catch {
    return undefined; // a package whose exports map hides package.json has an exports map
  }
  if (JSON.parse(readFileSync(manifest, 'utf8')).exports) return undefined;
  const folder = join(dirname(manifest), sub, 'package.json');
  if (existsSync(folder)) return `${name}/${posix.join(sub, JSON.parse(readFileSync(folder, 'utf8')).main)}`;
  if (!/\.[cm]?js$/.test(sub) && existsSync(join(dirname(manifest), `${sub}.js`))) return `${spec}.js`;
  return undefined;
};

/** `spec` as Node resolves it from the emitted copy of `from`, or undefined when it needs nothing. */
const explicit = (from, spec) => {
  if (spec.startsWith('node:')) return undefined;
  // The declaration emitter may name a folder's index itself: import("..").Autoencoder.
  if (spec === '.' || spec === '..') return explicit(from, `${spec}/`);
  if (!spec.startsWith('./') && !spec.startsWith('../')) return packageSubpath(spec);
  if (/\.(m?js|json)$/.test(spec)) return undefined;
  const base = resolve(dirname(from), spec);
  if (existsSync(`${base}.ts`)) return `${spec}.js`;
  if (existsSync(join(base, 'index.ts'))) return `${spec.replace(/\/$/, '')}/index.js`;
  throw new Error(`build: ${from}: cannot resolve ${spec}`);
};

/** Rewrites the specifiers of imports, re-exports, import() calls and import("…") types. */
const rewrite = (context) => (file) => {
  const f = context.factory;
  const from = file.fileName;
  const literal = (node) => {
    const to = node && ts.isStringLiteral(node) ? explicit(from, node.text) : undefined;
    return to === undefined ? undefined : f.createStringLiteral(to);
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node)) {
      const s = literal(node.moduleSpecifier);
      if (s) return f.updateImportDeclaration(node, node.modifiers, node.importClause, s, node.attributes);
    } else if (ts.isExportDeclaration(node)) {
      const s = literal(node.moduleSpecifier);
      if (s) return f.updateExportDeclaration(node, node.modifiers, node.isTypeOnly, node.exportClause, s, node.attributes);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const s = literal(node.arguments[0]);
      if (s) return f.updateCallExpression(node, node.expression, node.typeArguments, [s, ...node.arguments.slice(1).map((a) => ts.visitNode(a, visit))]);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const s = literal(node.argument.literal);
      if (s) return f.updateImportTypeNode(node, f.createLiteralTypeNode(s), node.attributes, node.qualifier, node.typeArguments && ts.visitNodes(node.typeArguments, visit), node.isTypeOf);
    }
    return ts.visitEachChild(node, visit, context);
  };
  return ts.visitNode(file, visit);
};

const emitted = program.emit(undefined, undefined, undefined, false, { after: [rewrite], afterDeclarations: [rewrite] });
const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
if (diagnostics.length) {
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
  console.error(ts.formatDiagnostics(diagnostics, host));
  process.exit(1);
}

// Files read at run time from beside the modules that use them: the page's sources (bundled by
// `serve`) and data files such as the embedded digits. (The example specs are compiled like the
// rest: `hourglass reproduce` loads dist/examples/*.js; .ts copies there would shadow the .d.ts
// files for a consumer's TypeScript.)
cpSync(join(root, 'web'), join(dist, 'web'), { recursive: true });
const assets = (dir) =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? assets(join(dir, e.name)) : e.name.endsWith('.ts') ? [] : [join(dir, e.name)],
  );
for (const file of ['dsl', 'compiler', 'runtime'].flatMap(assets)) cpSync(join(root, file), join(dist, file));

// bin/hourglass.js runs dist/ in a checkout only while no source is newer than this build's start.
mkdirSync(dist, { recursive: true });
writeFileSync(join(dist, 'build.json'), `${JSON.stringify({ started })}\n`);
console.log(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
