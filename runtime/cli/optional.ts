// Optional peer dependencies: packages only some commands need, so a plain install stays lean.
// A command that needs one that is missing says in one line what to install (exit 69).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CliError, EXIT } from '../core/failure';

const require = createRequire(import.meta.url);

/**
 * Those of `names` not installed where Node would look for them from here. The package folders
 * are looked for, not resolved: onnxruntime-web and vega export neither package.json nor a
 * CommonJS entry, and resolving their ESM entry would be the import this check comes before.
 */
export const missingPackages = (names: readonly string[]): string[] =>
  names.filter((name) => !(require.resolve.paths(name) ?? []).some((dir) => existsSync(join(dir, name, 'package.json'))));

/** `name@range` as the package declares it among its peers, quoted for the shell. */
const installable = (name: string): string => {
  const { peerDependencies = {} } = require('hourglass/package.json') as { peerDependencies?: Record<string, string> };
  return peerDependencies[name] ? `'${name}@${peerDependencies[name]}'` : name;
};

/** Throws the one-line install hint when any of `names` is missing. */
export const needPackages = (command: string, what: string, names: readonly string[]): void => {
  const missing = missingPackages(names);
  if (missing.length)
    throw new CliError(`${command}: ${what} needs ${missing.join(', ')}, not installed; install with: npm install ${missing.map(installable).join(' ')}`, EXIT.unavailable);
};

/** Figures and reports draw their plots with vega-lite. */
export const needVega = (command: string): void => needPackages(command, 'drawing plots', ['vega', 'vega-lite']);
