// The checkpoint file format, as bytes. Pure (no Node modules), so the browser page reads and
// writes the very checkpoints that `hourglass train --resume` does.
//
// Layout (version 2): "HGCK", u32 version, u32 header length, JSON header (meta, tensor table),
// 8-aligned tensor payloads, then a SHA-256 of every byte before it, written last. Reading checks
// the checksum, every header field and every value before anything is restored.
import { sha256 } from '@noble/hashes/sha2.js';
import * as E from 'fp-ts/Either';
import type { FloatArray } from './init';

const MAGIC = 'HGCK';
const VERSION = 2;
/** Version 1 files (no checksum) are still read. */
const OLDEST = 1;
const SUM_BYTES = 32;

export interface CheckpointMeta {
  /** Global optimizer steps taken. */
  readonly step: number;
  /** The epoch in progress (1-based) and how many of its steps are done. */
  readonly epoch: number;
  readonly stepInEpoch: number;
  /** The shuffling stream's state at the start of `epoch`, and the noise stream's state now. */
  readonly shuffleState: readonly number[];
  readonly noiseState: readonly number[];
  readonly lr: number;
  /** Running per-epoch sums of the loss terms, so a resumed epoch reports the same means. */
  readonly partial: Readonly<Record<string, number>>;
  readonly specHash: string;
}

export interface Checkpoint {
  readonly meta: CheckpointMeta;
  readonly tensors: Readonly<Record<string, FloatArray>>;
}

interface TensorEntry {
  readonly name: string;
  readonly dtype: 'f32' | 'f64';
  readonly offset: number;
  readonly length: number;
}

const bytesOf = (a: FloatArray) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export const encodeCheckpoint = (c: Checkpoint): Uint8Array[] => {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const name of Object.keys(c.tensors).sort()) {
    const t = c.tensors[name];
    entries.push({ name, dtype: t instanceof Float64Array ? 'f64' : 'f32', offset, length: t.length });
    offset += t.byteLength + ((8 - (t.byteLength % 8)) % 8);
  }
  const header = new TextEncoder().encode(JSON.stringify({ meta: c.meta, tensors: entries }));
  const pad = (8 - ((12 + header.length) % 8)) % 8;
  const prefix = new Uint8Array(12 + header.length + pad);
  prefix.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(prefix.buffer);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, header.length + pad, true);
  prefix.set(header, 12);
  prefix.fill(0x20, 12 + header.length); // JSON tolerates trailing spaces
  const chunks: Uint8Array[] = [prefix];
  for (const e of entries) {
    const t = c.tensors[e.name];
    chunks.push(bytesOf(t));
    const p = (8 - (t.byteLength % 8)) % 8;
    if (p) chunks.push(new Uint8Array(p));
  }
  const sum = sha256.create();
  for (const c of chunks) sum.update(c);
  chunks.push(sum.digest());
  return chunks;
};


const isInt = (x: unknown, min = 0): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= min;
// An all-zero state is one no generator reaches (xoshiro stays at zero forever).
const isState = (x: unknown): x is number[] => Array.isArray(x) && x.length > 0 && x.every((v) => isInt(v, -(2 ** 31)) && v < 2 ** 32) && x.some((v) => v !== 0);

/** Why the header's meta is not a training position, or null. */
const badMeta = (m: Partial<CheckpointMeta> | undefined): string | null => {
  if (typeof m !== 'object' || m === null) return 'meta is missing';
  if (!isInt(m.step)) return `step = ${JSON.stringify(m.step)} (must be an integer ≥ 0)`;
  if (!isInt(m.epoch, 1)) return `epoch = ${JSON.stringify(m.epoch)} (must be an integer ≥ 1)`;
  if (!isInt(m.stepInEpoch)) return `stepInEpoch = ${JSON.stringify(m.stepInEpoch)} (must be an integer ≥ 0)`;
  if (m.stepInEpoch > m.step) return `stepInEpoch = ${m.stepInEpoch} exceeds step = ${m.step}`;
  if (!isState(m.shuffleState)) return 'shuffleState is not a random-stream state';
  if (!isState(m.noiseState)) return 'noiseState is not a random-stream state';
  if (!(typeof m.lr === 'number' && Number.isFinite(m.lr) && m.lr > 0)) return `lr = ${JSON.stringify(m.lr)} (must be a positive number)`;
  if (typeof m.partial !== 'object' || m.partial === null) return 'partial is missing';
  for (const [k, v] of Object.entries(m.partial)) if (!(typeof v === 'number' && Number.isFinite(v))) return `partial.${k} = ${JSON.stringify(v)} (must be finite)`;
  if (typeof m.specHash !== 'string') return 'specHash is missing';
  return null;
};

/**
 * Values training cannot have produced: non-finite, or so large that the next step's products
 * overflow float32 (|x| > 1e18), or a negative running mean of squares (Adam's v and friends).
 * Sums and means of squared gradients enter the update only through √, so any finite value is
 * one training can write: Adagrad's sum passes 1e18 within 2,500 steps of the shapes β-VAE.
 */
export const LIMIT = 1e18;
const SQUARES = /^(adam\.v|adagrad\.sum|rmsprop\.sq)\./;
export const badValue = (name: string, t: FloatArray): string | null => {
  const squares = SQUARES.test(name);
  const nonNegative = squares || name === 'opt.t';
  for (let i = 0; i < t.length; i++) {
    const v = t[i];
    if (!Number.isFinite(v)) return `tensor ${name}[${i}] = ${v} (not finite)`;
    if (!squares && Math.abs(v) > LIMIT) return `tensor ${name}[${i}] = ${v} (beyond ±${LIMIT}: training cannot have written it)`;
    if (nonNegative && v < 0) return `tensor ${name}[${i}] = ${v} (a running mean of squares must be ≥ 0)`;
    if (name === 'opt.t' && !Number.isInteger(v)) return `tensor ${name}[${i}] = ${v} (a step count must be an integer)`;
  }
  return null;
};

export const decodeCheckpoint = (bytes: Uint8Array, file: string, o: { legacy?: boolean } = {}): E.Either<string, Checkpoint> => {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) return E.left(`${file}: not a Hourglass checkpoint`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version < OLDEST || version > VERSION) return E.left(`${file}: unsupported checkpoint version ${version} (this Hourglass reads ${OLDEST} to ${VERSION})`);
  let end = bytes.length;
  // Version 1 has no checksum: a header claiming it would skip the check, so only on request.
  if (version < 2 && !o.legacy) return E.left(`${file}: checkpoint version ${version} carries no checksum; read it only if you trust the file, with --legacy`);
  if (version >= 2) {
    if (bytes.length < 12 + SUM_BYTES) return E.left(`${file}: truncated checkpoint (no checksum)`);
    end = bytes.length - SUM_BYTES;
    const sum = sha256(bytes.subarray(0, end));
    const stored = bytes.subarray(end);
    if (sum.some((b, i) => b !== stored[i])) return E.left(`${file}: checksum mismatch (the file is damaged or was edited)`);
  }
  const headerLen = view.getUint32(8, true);
  if (12 + headerLen > end) return E.left(`${file}: truncated checkpoint header`);
  let header: { meta?: CheckpointMeta; tensors?: TensorEntry[] };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLen)));
  } catch {
    return E.left(`${file}: corrupt checkpoint header`);
  }
  const why = badMeta(header?.meta);
  if (why) return E.left(`${file}: bad checkpoint header: ${why}`);
  if (!Array.isArray(header.tensors)) return E.left(`${file}: bad checkpoint header: no tensor table`);
  const base = 12 + headerLen;
  const tensors: Record<string, FloatArray> = {};
  for (const e of header.tensors) {
    if (typeof e?.name !== 'string' || e.name in tensors) return E.left(`${file}: bad checkpoint header: tensor name ${JSON.stringify(e?.name)} missing or repeated`);
    if (e.dtype !== 'f32' && e.dtype !== 'f64') return E.left(`${file}: bad checkpoint header: tensor ${e.name} has dtype ${JSON.stringify(e.dtype)}`);
    if (!isInt(e.offset) || !isInt(e.length)) return E.left(`${file}: bad checkpoint header: tensor ${e.name} has offset ${e.offset} and length ${e.length}`);
    const width = e.dtype === 'f64' ? 8 : 4;
    const start = base + e.offset;
    if (start + e.length * width > end) return E.left(`${file}: truncated checkpoint (tensor ${e.name})`);
    // Copy out so the tensor owns an aligned buffer.
    const raw = new Uint8Array(bytes.subarray(start, start + e.length * width));
    const t = e.dtype === 'f64' ? new Float64Array(raw.buffer) : new Float32Array(raw.buffer);
    const bad = badValue(e.name, t);
    if (bad) return E.left(`${file}: bad checkpoint content: ${bad}`);
    tensors[e.name] = t;
  }
  return E.right({ meta: header.meta!, tensors });
};

/** Does the checkpoint hold exactly the tensors (names and sizes) a manifest's trainer carries? */
export const checkAgainst = (c: Checkpoint, expected: readonly { readonly name: string; readonly shape: readonly number[] }[], file: string): E.Either<string, Checkpoint> => {
  for (const e of expected) {
    const t = c.tensors[e.name];
    const n = e.shape.reduce((a, b) => a * b, 1);
    if (!t) return E.left(`${file}: no tensor ${e.name}, which the model needs`);
    if (t.length !== n) return E.left(`${file}: tensor ${e.name} has ${t.length} values; the model's [${e.shape.join(', ')}] needs ${n}`);
  }
  const known = new Set(expected.map((e) => e.name));
  const extra = Object.keys(c.tensors).find((k) => !known.has(k));
  return extra ? E.left(`${file}: tensor ${extra} is not part of this model`) : E.right(c);
};

