// Trimming a CUDA library's fatbin to one architecture, on synthetic ELF files: the file keeps its
// length and every byte but the other architectures' payloads, which become zeros.
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { elfSection, keepArchitecture } from '../runtime/host/providers/fatbin';

interface Entry {
  readonly arch: number;
  readonly kind: 1 | 2;
  readonly payload: Uint8Array;
}

const ENTRY_HEADER = 64;
const CONTAINER_HEADER = 16;

/** A minimal ELF64: [ELF header][.nv_fatbin][.shstrtab][section headers: null, .nv_fatbin, .shstrtab]. */
const buildElf = (containers: readonly (readonly Entry[])[], pad: number) => {
  const parts: number[] = [];
  const spans: { arch: number; start: number; len: number }[] = [];
  const u8 = (n: number, width: number) => {
    for (let i = 0; i < width; i++) parts.push(Number((BigInt(n) >> BigInt(8 * i)) & 0xffn));
  };
  const base = 64;
  for (const c of containers) {
    const body = c.reduce((s, e) => s + ENTRY_HEADER + e.payload.length, 0);
    u8(0xba55ed50, 4), u8(1, 2), u8(CONTAINER_HEADER, 2), u8(body, 8);
    for (const e of c) {
      const h = new Array<number>(ENTRY_HEADER).fill(0);
      const at = parts.length;
      parts.push(...h);
      const put = (off: number, n: number, w: number) => {
        for (let i = 0; i < w; i++) parts[at + off + i] = Number((BigInt(n) >> BigInt(8 * i)) & 0xffn);
      };
      put(0, e.kind, 2), put(4, ENTRY_HEADER, 4), put(8, e.payload.length, 8), put(28, e.arch, 4);
      spans.push({ arch: e.arch, start: base + parts.length, len: e.payload.length });
      parts.push(...e.payload);
    }
    for (let i = 0; i < pad; i++) parts.push(0);
  }
  const fatSize = parts.length;
  const strtab = [0, ...new TextEncoder().encode('.nv_fatbin\0.shstrtab\0')];
  const strOff = base + fatSize;
  const shoff = strOff + strtab.length;
  const elf = new Uint8Array(shoff + 3 * 64);
  const v = new DataView(elf.buffer);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  v.setBigUint64(0x28, BigInt(shoff), true);
  v.setUint16(0x3a, 64, true), v.setUint16(0x3c, 3, true), v.setUint16(0x3e, 2, true);
  elf.set(parts, base);
  elf.set(strtab, strOff);
  const sh = (i: number, name: number, off: number, size: number) => {
    v.setUint32(shoff + i * 64, name, true);
    v.setBigUint64(shoff + i * 64 + 24, BigInt(off), true);
    v.setBigUint64(shoff + i * 64 + 32, BigInt(size), true);
  };
  sh(1, 1, base, fatSize), sh(2, 12, strOff, strtab.length);
  return { elf, spans };
};

const entry = fc.record({
  arch: fc.constantFrom(75, 80, 86, 89, 90, 120),
  kind: fc.constantFrom(1 as const, 2 as const),
  payload: fc.integer({ min: 1, max: 12 }).chain((n) => fc.uint8Array({ minLength: 8 * n, maxLength: 8 * n, min: 1 })),
});

test.prop([fc.array(fc.array(entry, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), fc.constantFrom(0, 8, 24), fc.constantFrom(80, 90)])(
  'other architectures become zeros; everything else is unchanged',
  (containers, pad, arch) => {
    const { elf, spans } = buildElf(containers, pad);
    expect(elfSection(elf, '.nv_fatbin')?.[0]).toBe(64);
    const before = elf.slice();
    const stats = keepArchitecture(elf, arch);
    expect(stats.containers).toBe(containers.length);
    expect(elf.length).toBe(before.length);
    const expected = before.slice();
    for (const s of spans) if (s.arch !== arch) expected.fill(0, s.start, s.start + s.len);
    expect(Buffer.from(elf).equals(Buffer.from(expected))).toBe(true);
    const total = (t: Readonly<Record<string, number>>) => Object.values(t).reduce((a, b) => a + b, 0);
    expect(total(stats.kept)).toBe(spans.filter((s) => s.arch === arch).reduce((a, s) => a + s.len, 0));
    expect(total(stats.zeroed)).toBe(spans.filter((s) => s.arch !== arch).reduce((a, s) => a + s.len, 0));
  },
);

test('a file without a fatbin is refused', () => {
  const { elf } = buildElf([], 0);
  elf.fill(0, 0, 4);
  expect(() => keepArchitecture(elf, 90)).toThrow(/nv_fatbin/);
});
