// Run in a child by placement.ts: open one model on one provider with onnxruntime's verbose log,
// whose "Node placements" lines (on stderr) say where each node runs. Nothing is run.
// argv: <package> <model.onnx> <provider>
'use strict';
const [pkg, model, provider] = process.argv.slice(2);
const ort = require(pkg);
ort.InferenceSession.create(model, { executionProviders: [provider], logSeverityLevel: 0, logVerbosityLevel: 0, graphOptimizationLevel: 'all' }).then(
  () => process.stdout.write('opened\n'),
  (err) => {
    process.stdout.write(`failed: ${String(err && err.message ? err.message : err).split('\n')[0]}\n`);
    process.exitCode = 1;
  },
);
