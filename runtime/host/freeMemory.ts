// Memory a new allocation can get without swapping: Linux's MemAvailable (free plus reclaimable
// cache), which os.freemem() undercounts on a machine with a warm page cache.
import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';

export const availableMemory = (): number => {
  try {
    const m = /^MemAvailable:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux: fall through
  }
  return freemem();
};
