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

const forbid = (name, comment, from, to) => ({ name, comment, severity: 'error', from, to });

module.exports = {
  forbidden: [
    ...Object.entries(above).map(([layer, higher]) =>
      forbid(`${layer}-imports-upward`, `runtime/${layer} may import only the layers below it`, { path: `^runtime/${layer}/` }, { path: `^runtime/(${higher.join('|')})/` }),
    ),
    forbid('runtime-outside-layers', 'every runtime module lives in one of the six layers', { path: '^runtime/' }, { path: '^runtime/', pathNot: '^runtime/(cli|apps|analysis|run|host|core)/' }),
    forbid('below-runtime', 'dsl/ and compiler/ sit below the whole runtime, and examples/ above it', { path: '^(dsl|compiler)/' }, { path: '^(runtime|examples|web|bench)/' }),
    forbid('runtime-imports-examples', 'examples use the library; the library does not use them', { path: '^runtime/' }, { path: '^examples/' }),
    forbid('compiler-imports-dsl', 'the compiler knows nothing of the combinators', { path: '^compiler/' }, { path: '^dsl/' }),
    forbid('dsl-touches-onnx', 'dsl/ never touches ONNX', { path: '^dsl/' }, { path: '(^compiler/onnx/|onnx-proto|onnxruntime)' }),
    forbid('compiler-imports-onnxruntime', 'compiler/ never imports onnxruntime', { path: '^compiler/' }, { path: 'onnxruntime' }),
    forbid('portable-imports-node', 'runtime/core and web/ run in a browser too: no Node modules', { path: '^(runtime/core|web)/' }, { dependencyTypes: ['core'] }),
    forbid('web-imports-node-runtime', 'web/ uses runtime/core and the portable analysis files only', { path: '^web/' }, { path: '^runtime/', pathNot: ['^runtime/core/', ...portableAnalysis] }),
    forbid('no-circular', 'no import cycles, type-only imports included', {}, { circular: true }),
  ],
  options: {
    // Type-only imports count: a cycle through `import type` is still a cycle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  },
};
