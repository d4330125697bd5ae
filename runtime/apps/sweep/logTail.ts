// The end of a log file, for showing why a trial failed.
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';

export const logTail = (path: string, lines = 15): string => {
  if (!existsSync(path)) return `(no log at ${path})`;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const n = Math.min(size, 16_384);
    const buf = Buffer.alloc(n);
    readSync(fd, buf, 0, n, size - n);
    // Progress bars rewrite lines with \r: keep what the last rewrite left.
    const text = buf.toString('utf8').split('\n').map((l) => l.split('\r').pop() ?? '');
    return text.filter((l) => l.trim() !== '').slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
};
