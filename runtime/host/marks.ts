// The mark Hourglass leaves in the images it writes, so that a later command can prove a file at
// its output path is one of its own before replacing it: a PNG `tEXt` chunk `Software` (the
// keyword the PNG specification defines for the program that made the image) and an SVG comment after the opening tag.
// A .npy has no such place (NumPy refuses a header with keys beyond its three), so an existing
// .npy is never recognised as ours (run/outputs.ts: it needs --force).
import { closeSync, openSync, readSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/** The text of the mark: `Software` = `hourglass`, the same in every version. */
export const SOFTWARE = 'hourglass';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const chunk = (type: string, data: Buffer): Buffer => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
};

/** `png` with a `tEXt Software=hourglass` chunk right after IHDR (where readers look first). */
export const markPng = (png: Uint8Array): Buffer => {
  const b = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (!b.subarray(0, 8).equals(PNG_SIGNATURE) || b.toString('latin1', 12, 16) !== 'IHDR') throw new Error('markPng: not a PNG');
  const afterIhdr = 8 + 12 + b.readUInt32BE(8);
  return Buffer.concat([b.subarray(0, afterIhdr), chunk('tEXt', Buffer.from(`Software\0${SOFTWARE}`, 'latin1')), b.subarray(afterIhdr)]);
};

/** The chunks before the image data of a PNG file, read from disk without loading the image. */
const pngTextChunks = (bytes: Buffer): Map<string, string> => {
  const texts = new Map<string, string>();
  if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return texts;
  for (let at = 8; at + 8 <= bytes.length; ) {
    const len = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT' || type === 'IEND' || at + 12 + len > bytes.length) break;
    if (type === 'tEXt') {
      const data = bytes.subarray(at + 8, at + 8 + len);
      const nul = data.indexOf(0);
      // Only a chunk whose CRC holds: a mark cannot be half-written.
      const ok = (crc32(bytes.subarray(at + 4, at + 8 + len)) >>> 0) === bytes.readUInt32BE(at + 8 + len);
      if (nul > 0 && ok) texts.set(data.toString('latin1', 0, nul), data.toString('latin1', nul + 1));
    }
    at += 12 + len;
  }
  return texts;
};

/** The first `n` bytes of a file (fewer when it is shorter), or null when it cannot be read. */
const head = (path: string, n: number): Buffer | null => {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
};

/** Is the PNG file at `path` marked as written by Hourglass? */
export const isMarkedPng = (path: string): boolean => {
  const bytes = head(path, 4096);
  return bytes !== null && pngTextChunks(bytes).get('Software') === SOFTWARE;
};

/** The comment every SVG Hourglass writes carries right after its opening `<svg …>` tag (the file still starts with `<svg`). */
export const SVG_MARK = `<!-- Software: ${SOFTWARE} -->`;

const afterOpenTag = (svg: string): number => (svg.startsWith('<svg') ? svg.indexOf('>') + 1 : -1);

export const markSvg = (svg: string): string => {
  const at = afterOpenTag(svg);
  if (at <= 0 || svg.startsWith(SVG_MARK, at)) return svg;
  return `${svg.slice(0, at)}${SVG_MARK}${svg.slice(at)}`;
};

export const isMarkedSvg = (path: string): boolean => {
  const text = head(path, 8192)?.toString('utf8') ?? '';
  const at = afterOpenTag(text);
  return at > 0 && text.startsWith(SVG_MARK, at);
};
