// IDX files (the MNIST format): magic 0x00 0x00 <type> <ndims>, big-endian u32 dims, then data.
import * as E from 'fp-ts/Either';
import { readDataFile } from './bytes';
import { dataError, type DataError } from './errors';

export interface IdxArray {
  readonly shape: readonly number[];
  /** Values as stored; uint8 stays in 0..255. */
  readonly values: Float32Array;
  readonly type: 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
}

const TYPES = {
  0x08: { type: 'uint8', bytes: 1 },
  0x09: { type: 'int8', bytes: 1 },
  0x0b: { type: 'int16', bytes: 2 },
  0x0c: { type: 'int32', bytes: 4 },
  0x0d: { type: 'float32', bytes: 4 },
  0x0e: { type: 'float64', bytes: 8 },
} as const;

const hex = (buf: Buffer) => `0x${buf.subarray(0, 4).toString('hex')}`;

export const parseIdx = (file: string, buf: Buffer): E.Either<DataError, IdxArray> => {
  if (buf.length < 4) return E.left(dataError(file, `truncated: ${buf.length} bytes, not even an IDX header`));
  const code = buf[2] as keyof typeof TYPES;
  const kind = TYPES[code];
  const ndims = buf[3];
  if (buf[0] !== 0 || buf[1] !== 0 || !kind || ndims < 1)
    return E.left(dataError(file, `wrong magic number ${hex(buf)}: not an IDX file (expected 0x000008 followed by the number of dimensions, e.g. 0x00000803)`));
  const headerBytes = 4 + 4 * ndims;
  if (buf.length < headerBytes) return E.left(dataError(file, `truncated: the header needs ${headerBytes} bytes, the file has ${buf.length}`));
  const shape = Array.from({ length: ndims }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  const count = shape.reduce((a, b) => a * b, 1);
  const need = headerBytes + count * kind.bytes;
  if (buf.length < need)
    return E.left(dataError(file, `truncated: shape [${shape.join(', ')}] needs ${need} bytes, the file has ${buf.length}`));
  if (buf.length > need) return E.left(dataError(file, `corrupt: ${buf.length - need} bytes after the data that shape [${shape.join(', ')}] describes`));
  const values = new Float32Array(count);
  const at = headerBytes;
  for (let i = 0; i < count; i++) {
    const o = at + i * kind.bytes;
    switch (kind.type) {
      case 'uint8': values[i] = buf[o]; break;
      case 'int8': values[i] = buf.readInt8(o); break;
      case 'int16': values[i] = buf.readInt16BE(o); break;
      case 'int32': values[i] = buf.readInt32BE(o); break;
      case 'float32': values[i] = buf.readFloatBE(o); break;
      case 'float64': values[i] = buf.readDoubleBE(o); break;
    }
  }
  return E.right({ shape, values, type: kind.type });
};

export const loadIdx = (path: string): E.Either<DataError, IdxArray> => E.chain((buf: Buffer) => parseIdx(path, buf))(readDataFile(path));
