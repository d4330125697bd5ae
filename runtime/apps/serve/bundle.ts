// The page's JavaScript and CSS, bundled by esbuild in memory when the server starts (well under a
// second), so a fresh clone serves the page with no build step. onnxruntime-web is imported as
// its wasm-only build with the wasm kept outside the bundle: the server hands out the .mjs/.wasm
// pair from the package itself.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'web');

/** Bundle outputs keyed by their path under /app/ (main.js, main.css, chunk-*.js). */
export const bundlePage = async (): Promise<Map<string, Uint8Array>> => {
  const result = await build({
    entryPoints: [join(WEB_DIR, 'main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    splitting: true,
    platform: 'browser',
    target: 'es2022',
    // onnxruntime-web's builds that load their wasm (and its .mjs glue) from env.wasm.wasmPaths.
    conditions: ['onnxruntime-web-use-extern-wasm'],
    outdir: '/app',
    logLevel: 'silent',
  });
  return new Map(result.outputFiles.map((f) => [f.path.replace(/^\/app\//, ''), f.contents]));
};
