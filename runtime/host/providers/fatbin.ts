// Keeping one GPU architecture's machine code in a CUDA library: the .nv_fatbin section holds,
// per compiled file, a container of cubins (one per sm_XX) and PTX. Zeroing the payloads of every
// other architecture leaves offsets, headers and the host code as they were (the CUDA runtime
// picks the cubin matching the device and never reads the others), and the zeros compress to
// nothing: the CUDA provider for sm_90 alone packs to ~37 MB instead of ~150 MB, small enough to
// carry to a GPU machine without network (scripts/pack-gpu-carry.sh).
const FATBIN_MAGIC = 0xba55ed50;

export interface TrimStats {
  readonly containers: number;
  readonly kept: Readonly<Record<string, number>>;
  readonly zeroed: Readonly<Record<string, number>>;
}

/** [offset, size] of a section of a 64-bit little-endian ELF file, or null. */
export const elfSection = (elf: Uint8Array, name: string): [number, number] | null => {
  const v = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  if (v.getUint32(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) return null;
  const shoff = Number(v.getBigUint64(0x28, true));
  const shentsize = v.getUint16(0x3a, true);
  const shnum = v.getUint16(0x3c, true);
  const strndx = v.getUint16(0x3e, true);
  const header = (i: number) => shoff + i * shentsize;
  const strOff = Number(v.getBigUint64(header(strndx) + 24, true));
  const want = new TextEncoder().encode(`${name}\0`);
  for (let i = 0; i < shnum; i++) {
    const at = strOff + v.getUint32(header(i), true);
    if (want.every((b, j) => elf[at + j] === b)) return [Number(v.getBigUint64(header(i) + 24, true)), Number(v.getBigUint64(header(i) + 32, true))];
  }
  return null;
};

/** Zero, in place, every fatbin entry of `elf` whose architecture is not `arch` (e.g. 90). */
export const keepArchitecture = (elf: Uint8Array, arch: number): TrimStats => {
  const sec = elfSection(elf, '.nv_fatbin');
  if (!sec) throw new Error('no .nv_fatbin section');
  const v = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const [start, size] = sec;
  const kept: Record<string, number> = {};
  const zeroed: Record<string, number> = {};
  let containers = 0;
  for (let p = start; p + 16 <= start + size; ) {
    if (v.getUint32(p, true) !== FATBIN_MAGIC) {
      p += 8; // containers are 8-byte aligned, padding between them
      continue;
    }
    containers++;
    const end = p + v.getUint16(p + 6, true) + Number(v.getBigUint64(p + 8, true));
    for (let q = p + v.getUint16(p + 6, true); q < end; ) {
      const kind = v.getUint16(q, true) === 1 ? 'ptx' : 'elf';
      const headerSize = v.getUint32(q + 4, true);
      const payload = Number(v.getBigUint64(q + 8, true));
      const key = `${kind} sm_${v.getUint32(q + 28, true)}`;
      const tally = v.getUint32(q + 28, true) === arch ? kept : zeroed;
      tally[key] = (tally[key] ?? 0) + payload;
      if (tally === zeroed) elf.fill(0, q + headerSize, q + headerSize + payload);
      q += headerSize + payload;
    }
    p = end;
  }
  return { containers, kept, zeroed };
};
