// How a sweep starts `hourglass` in another process: this checkout's bin under this node.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const hourglassBin = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/hourglass.js');

/** The command line that runs `hourglass <args…>`. */
export const hourglassCommand = (args: readonly string[]): string[] => [process.execPath, hourglassBin, ...args];
