// The checkpoint file format, as bytes: a header (magic, version, JSON of the training position
// and tensor table) and 8-byte-aligned tensors. Pure, so the browser page reads and writes the
// very checkpoints that `hourglass train --resume` does.
import * as E from 'fp-ts/Either';
import type { FloatArray } from './init';

const MAGIC = 'HGCK';
const VERSION = 1;

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
  return chunks;
};

export const decodeCheckpoint = (bytes: Uint8Array, file: string): E.Either<string, Checkpoint> => {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) return E.left(`${file}: not a Hourglass checkpoint`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== VERSION) return E.left(`${file}: checkpoint version ${version}, expected ${VERSION}`);
  const headerLen = view.getUint32(8, true);
  if (12 + headerLen > bytes.length) return E.left(`${file}: truncated checkpoint header`);
  let header: { meta: CheckpointMeta; tensors: TensorEntry[] };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLen)));
  } catch {
    return E.left(`${file}: corrupt checkpoint header`);
  }
  const base = 12 + headerLen;
  const tensors: Record<string, FloatArray> = {};
  for (const e of header.tensors) {
    const width = e.dtype === 'f64' ? 8 : 4;
    const start = base + e.offset;
    if (start + e.length * width > bytes.length) return E.left(`${file}: truncated checkpoint (tensor ${e.name})`);
    // Copy out so the tensor owns an aligned buffer.
    const raw = new Uint8Array(bytes.subarray(start, start + e.length * width));
    tensors[e.name] = e.dtype === 'f64' ? new Float64Array(raw.buffer) : new Float32Array(raw.buffer);
  }
  return E.right({ meta: header.meta, tensors });
};
