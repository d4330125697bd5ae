// The layer rule (docs/layout.md): each layer imports only the layers below it.
//   runtime/cli → runtime/apps → runtime/analysis → runtime/run → runtime/host → runtime/core
//   → dsl → compiler. web/ (the browser page) uses runtime/core and the portable analysis files.
// test/layers.test.ts runs this file on the tree and on a fixture with a planted upward import.
const portable = require('./tsconfig.portable.json').include;
const above = {
  core: ['host', 'run', 'analysis', 'apps', 'cli'],
  host: ['run', 'analysis', 'apps', 'cli'],
  run: ['analysis', 'apps', 'cli'],
  analysis: ['apps', 'cli'],
  apps: ['cli'],
};
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const portableAnalysis = portable.filter((p) => p.startsWith('runtime/analysis/')).map((p) => `^${esc(p)}$`);

module.exports = {
  forbidden: [
    ...Object.entries(above).map(([layer, higher]) => ({
      name: `${layer}-imports-upward`,
      comment: `runtime/${layer} may import only the layers below it`,
      severity: 'error',
      from: { path: `^runtime/${layer}/` },
      to: { path: `^runtime/(${higher.join('|')})/` },
    })),
    {
      name: 'runtime-outside-layers',
      comment: 'every runtime module lives in one of the six layers',
      severity: 'error',
      from: { path: '^runtime/' },
      to: { path: '^runtime/', pathNot: '^runtime/(cli|apps|analysis|run|host|core)/' },
    },
    {
      name: 'below-runtime',
      comment: 'dsl/ and compiler/ sit below the whole runtime, and examples/ above it',
      severity: 'error',
      from: { path: '^(dsl|compiler)/' },
      to: { path: '^(runtime|examples|web|bench)/' },
    },
    {
      name: 'runtime-imports-examples',
      comment: 'examples use the library; the library does not use them',
      severity: 'error',
      from: { path: '^runtime/' },
      to: { path: '^examples/' },
    },
    {
      name: 'compiler-imports-dsl',
      comment: 'the compiler knows nothing of the combinators',
      severity: 'error',
      from: { path: '^compiler/' },
      to: { path: '^dsl/' },
    },
    {
      name: 'dsl-touches-onnx',
      comment: 'dsl/ never touches ONNX',
      severity: 'error',
      from: { path: '^dsl/' },
      to: { path: '(^compiler/onnx/|onnx-proto|onnxruntime)' },
    },
    {
      name: 'compiler-imports-onnxruntime',
      comment: 'compiler/ never imports onnxruntime',
      severity: 'error',
      from: { path: '^compiler/' },
      to: { path: 'onnxruntime' },
    },
    {
      name: 'portable-imports-node',
      comment: 'runtime/core and web/ run in a browser too: no Node modules',
      severity: 'error',
      from: { path: '^(runtime/core|web)/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'web-imports-node-runtime',
      comment: 'web/ uses runtime/core and the portable analysis files only',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^runtime/', pathNot: ['^runtime/core/', ...portableAnalysis] },
    },
    {
      name: 'no-circular',
      comment: 'no import cycles, type-only imports included',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // Type-only imports count: a cycle through `import type` is still a cycle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  },
};
