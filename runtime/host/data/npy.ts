// NumPy .npy arrays (format 1.0–3.0), little-endian float32/float64/uint8, C order.
import * as E from 'fp-ts/Either';
import { readDataFile } from './bytes';
import { dataError, type DataError } from './errors';
import { writeFileAtomic } from '../fsx';

export interface NpyArray {
  readonly shape: readonly number[];
  readonly values: Float32Array;
  readonly type: 'float32' | 'float64' | 'uint8';
}

const MAGIC = '\x93NUMPY';
const DESCR = { '<f4': { type: 'float32', bytes: 4 }, '<f8': { type: 'float64', bytes: 8 }, '|u1': { type: 'uint8', bytes: 1 }, '<u1': { type: 'uint8', bytes: 1 } } as const;

export const parseNpy = (file: string, buf: Buffer): E.Either<DataError, NpyArray> => {
  if (buf.length < 10 || buf.subarray(0, 6).toString('latin1') !== MAGIC) return E.left(dataError(file, 'wrong magic number: not a .npy file'));
  const major = buf[6];
  const minor = buf[7];
  if (major < 1 || major > 3 || minor !== 0) return E.left(dataError(file, `unsupported .npy version ${major}.${minor} (this reader handles 1.0, 2.0 and 3.0)`));
  const lenBytes = major === 1 ? 2 : 4;
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.length >= 12 ? buf.readUInt32LE(8) : -1;
  const start = 8 + lenBytes + headerLen;
  if (headerLen < 0 || buf.length < start) return E.left(dataError(file, 'truncated: the .npy header is incomplete'));
  const header = buf.subarray(8 + lenBytes, start).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) return E.left(dataError(file, `corrupt .npy header: ${header.trim()}`));
  const kind = DESCR[descr as keyof typeof DESCR];
  if (!kind) return E.left(dataError(file, `unsupported dtype ${descr}; use float32 ('<f4'), float64 ('<f8') or uint8 ('|u1')`));
  if (fortran === 'True') return E.left(dataError(file, 'Fortran-order arrays are not supported; save with np.ascontiguousarray'));
  const dims = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  // Plain decimal sizes only: "250.0", "0x10" or "-1" are not what NumPy writes.
  if (dims.some((d) => !/^\d+L?$/.test(d))) return E.left(dataError(file, `corrupt .npy shape (${shapeText}): sizes must be non-negative integers`));
  const shape = dims.map((d) => Number(d.replace(/L$/, '')));
  if (shape.some((d) => !Number.isSafeInteger(d))) return E.left(dataError(file, `corrupt .npy shape (${shapeText}): a size is too large`));
  const count = shape.reduce((a, b) => a * b, 1);
  const need = start + count * kind.bytes;
  if (buf.length < need) return E.left(dataError(file, `truncated: shape [${shape.join(', ')}] needs ${need} bytes, the file has ${buf.length}`));
  if (buf.length > need) return E.left(dataError(file, `${buf.length - need} unexpected bytes after the data: shape [${shape.join(', ')}] needs ${need} bytes, the file has ${buf.length}`));
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const o = start + i * kind.bytes;
    values[i] = kind.type === 'float32' ? buf.readFloatLE(o) : kind.type === 'float64' ? buf.readDoubleLE(o) : buf[o];
  }
  return E.right({ shape, values, type: kind.type });
};

export const loadNpy = (path: string): E.Either<DataError, NpyArray> => E.chain((buf: Buffer) => parseNpy(path, buf))(readDataFile(path));

/** Little-endian float32 .npy (format 1.0), header padded to 64 bytes as NumPy does; uint8 → '|u1', Int32Array → '<i4'. */
export const encodeNpy = (values: Float32Array | Uint8Array | Int32Array, shape: readonly number[]): Buffer => {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  const descr = values instanceof Uint8Array ? '|u1' : values instanceof Int32Array ? '<i4' : '<f4';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const pre = Buffer.alloc(10);
  pre.write(MAGIC, 0, 'latin1');
  pre[6] = 1;
  pre.writeUInt16LE(header.length, 8);
  if (!(values instanceof Float32Array)) return Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(values.buffer, values.byteOffset, values.byteLength)]);
  const body = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => body.writeFloatLE(v, i * 4));
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), body]);
};

export const saveNpy = (path: string, values: Float32Array | Uint8Array | Int32Array, shape: readonly number[]): void => writeFileAtomic(path, encodeNpy(values, shape));
