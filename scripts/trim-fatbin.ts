// tsx scripts/trim-fatbin.ts <in.so> <out.so> <arch, e.g. 90>: keep one architecture's cubins.
import { readFileSync, writeFileSync } from 'node:fs';
import { keepArchitecture } from '../runtime/host/providers/fatbin';

const [input, output, arch] = process.argv.slice(2);
const elf = readFileSync(input);
const stats = keepArchitecture(elf, Number(arch));
writeFileSync(output, elf, { flag: 'wx', mode: 0o755 });
console.error(`${input} → ${output}: ${stats.containers} fatbin containers; kept ${JSON.stringify(stats.kept)}; zeroed ${JSON.stringify(stats.zeroed)}`);
