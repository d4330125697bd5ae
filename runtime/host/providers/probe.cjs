// Run in a child process by `hourglass doctor` (one libonnxruntime per process): load one binding,
// list its providers, and try to open a tiny model on each provider named.
// argv: <package> <model.onnx> <provider>...   stdout: one JSON object.
'use strict';
const [pkg, model, ...providers] = process.argv.slice(2);
const out = { package: pkg, providers: {} };
(async () => {
  let ort;
  try {
    ort = require(pkg);
    out.version = require(`${pkg}/package.json`).version;
    out.backends = ort.listSupportedBackends ? ort.listSupportedBackends() : null;
  } catch (err) {
    out.loadError = String(err && err.message ? err.message : err).split('\n')[0];
    process.stdout.write(JSON.stringify(out));
    return;
  }
  for (const p of providers) {
    try {
      const s = await ort.InferenceSession.create(model, { executionProviders: [p], logSeverityLevel: 3 });
      const x = new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [2, 2]);
      await s.run({ a: x, b: x });
      out.providers[p] = { ok: true };
    } catch (err) {
      out.providers[p] = { ok: false, error: String(err && err.message ? err.message : err) };
    }
  }
  process.stdout.write(JSON.stringify(out));
})();
