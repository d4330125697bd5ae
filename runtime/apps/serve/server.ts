// The page's HTTP server: the bundle, onnxruntime-web's wasm, the catalog's artifacts and
// manifests, the data set and a run's checkpoint. Every response carries COOP/COEP so the page
// is cross-origin isolated (SharedArrayBuffer, hence wasm threads); .mjs and .wasm get their real
// MIME types (a wrong one for the .mjs glue hangs onnxruntime-web without an error).
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Dataset } from '../../core/dataset';
import { bundlePage, WEB_DIR } from './bundle';
import type { Catalog } from './catalog';

export const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.hgck': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
};

const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** The onnxruntime-web files the page loads at run time (wasm-only build; JSEP for WebGPU). */
export const ORT_FILES = ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm'];

const ortDir = (): string => dirname(createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));

interface Body {
  readonly bytes: Uint8Array | (() => Uint8Array);
  readonly type: string;
  /** Pre-compressed copy, served when the client accepts gzip. */
  gz?: Uint8Array;
  readonly compress?: boolean;
}

export interface PageServer {
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

const typeOf = (name: string) => MIME[extname(name)] ?? 'application/octet-stream';

/** The page's config: everything but the bytes, which it fetches by URL. */
const configOf = (c: Catalog, data: Dataset) => ({
  title: c.title,
  defaultModel: c.defaultModel,
  settings: c.settings,
  data: { name: data.name, n: data.n, shape: data.shape, images: '/data/images.bin', labels: data.labels ? '/data/labels.bin' : undefined },
  checkpoint: c.checkpoint ? { url: '/run/checkpoint.hgck', model: c.checkpoint.model } : undefined,
  models: c.models.map((m) => ({
    id: m.id,
    label: m.label,
    latent: m.latent,
    beta: m.beta,
    manifest: `/models/${m.id}/manifest.json`,
    files: Object.fromEntries(Object.keys(m.files).map((f) => [f, `/models/${m.id}/${f}`])),
  })),
});

export const routes = async (c: Catalog, data: Dataset): Promise<Map<string, Body>> => {
  const r = new Map<string, Body>();
  const html = readFileSync(join(WEB_DIR, 'index.html'));
  r.set('/', { bytes: html, type: MIME['.html'] });
  r.set('/index.html', { bytes: html, type: MIME['.html'] });
  for (const [name, bytes] of await bundlePage()) r.set(`/app/${name}`, { bytes, type: typeOf(name), compress: true });
  const ort = ortDir();
  // Read on first request: the JSEP wasm (28 MB) is only wanted where WebGPU is.
  for (const f of ORT_FILES) r.set(`/ort/${f}`, { bytes: () => readFileSync(join(ort, f)), type: typeOf(f), compress: f.endsWith('.wasm') });
  r.set('/api/config', { bytes: new TextEncoder().encode(JSON.stringify(configOf(c, data))), type: MIME['.json'] });
  for (const m of c.models) {
    r.set(`/models/${m.id}/manifest.json`, { bytes: new TextEncoder().encode(JSON.stringify(m.manifest)), type: MIME['.json'] });
    for (const [f, bytes] of Object.entries(m.files)) r.set(`/models/${m.id}/${f}`, { bytes, type: typeOf(f) });
  }
  const images = new Uint8Array(data.images.buffer, data.images.byteOffset, data.images.byteLength);
  r.set('/data/images.bin', { bytes: images, type: MIME['.bin'], compress: true });
  if (data.labels) r.set('/data/labels.bin', { bytes: data.labels, type: MIME['.bin'] });
  if (c.checkpoint) {
    const file = c.checkpoint.file;
    r.set('/run/checkpoint.hgck', { bytes: () => readFileSync(file), type: MIME['.hgck'] });
  }
  return r;
};

const send = (req: IncomingMessage, res: ServerResponse, body: Body | undefined) => {
  const headers: Record<string, string> = { ...ISOLATION, 'Cache-Control': 'no-store' };
  if (!body) {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
    return;
  }
  const raw = typeof body.bytes === 'function' ? body.bytes() : body.bytes;
  let out = raw;
  if (body.compress && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    // Level 1: most of gzip's gain on floats and wasm at a fraction of the time.
    body.gz ??= gzipSync(raw, { level: 1 });
    out = body.gz;
    headers['Content-Encoding'] = 'gzip';
  }
  res.writeHead(200, { ...headers, 'Content-Type': body.type, 'Content-Length': String(out.byteLength) });
  res.end(req.method === 'HEAD' ? undefined : out);
};

/**
 * Is a request's Host header one this server answers? localhost, an IP literal (a name an
 * attacker's DNS can rebind is never one), the bound host, or this machine's name.
 */
export const hostAllowed = (header: string | undefined, bound: string): boolean => {
  if (!header) return false;
  const name = (header.startsWith('[') ? header.slice(1, header.indexOf(']')) : header.replace(/:\d+$/, '')).toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost') || isIP(name) !== 0) return true;
  return name === bound.toLowerCase() || name === hostname().toLowerCase();
};

export const servePage = async (c: Catalog, data: Dataset, port: number, host: string): Promise<PageServer> => {
  const table = await routes(c, data);
  const server = createServer((req, res) => {
    // DNS rebinding: a page on another origin whose name now points here would send its own name.
    if (!hostAllowed(req.headers.host, host)) {
      res.writeHead(421, { 'Content-Type': 'text/plain' }).end('hourglass serve answers only to localhost, an IP address or the name it was bound to\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    send(req, res, table.get(path));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    server,
    url: `http://${shown}:${actual}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
