// Runs a command and exits as soon as a line of its output matches a pattern, ending the command
// (its whole process group): hyperfine then times "start to that line", e.g. npm start's first epoch.
//   node bench/cli-first-line.mjs '^epoch 1/' npm start
import { spawn } from 'node:child_process';

const [pattern, cmd, ...args] = process.argv.slice(2);
if (!pattern || !cmd) {
  console.error('usage: node bench/cli-first-line.mjs <regex> <command> [args…]');
  process.exit(2);
}
const re = new RegExp(pattern, 'm');
const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
let seen = '';
const look = (chunk) => {
  seen = (seen + chunk).slice(-4096);
  if (re.test(seen)) {
    process.kill(-child.pid, 'SIGKILL');
    process.exit(0);
  }
};
child.stdout.on('data', look);
child.stderr.on('data', look);
child.on('exit', (code) => {
  console.error(`${cmd} exited (${code}) before a line matched ${pattern}:\n${seen}`);
  process.exit(1);
});
