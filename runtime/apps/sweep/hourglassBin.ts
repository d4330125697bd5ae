// How a sweep starts `hourglass` in another process: this installation's bin under this node. The
// package root is found by name (a package may import itself), the same from the TypeScript
// sources of a checkout and from the compiled dist/ of an installed package.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const hourglassBin = join(dirname(createRequire(import.meta.url).resolve('hourglass/package.json')), 'bin', 'hourglass.js');

/** The command line that runs `hourglass <args…>`. */
export const hourglassCommand = (args: readonly string[]): string[] => [process.execPath, hourglassBin, ...args];
