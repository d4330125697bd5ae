// Runs a command and exits as soon as a line of its output matches a pattern, ending the command
// (its whole process group, with SIGTERM so that hourglass releases its run lock on the way out;
// a SIGKILL would leave the lock, and the next run is then rightly refused): hyperfine then times
// "start to that line", e.g. npm start's first epoch.
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
let matched = false;
const look = (chunk) => {
  seen = (seen + chunk).slice(-4096);
  if (!matched && re.test(seen)) {
    matched = true;
    process.kill(-child.pid, 'SIGTERM');
  }
};
child.stdout.on('data', look);
child.stderr.on('data', look);
// npm may exit before the hourglass under it has released its lock: wait for the whole group.
const groupGone = () => {
  try {
    process.kill(-child.pid, 0);
    return false;
  } catch {
    return true;
  }
};
child.on('exit', (code) => {
  if (matched) {
    const poll = setInterval(() => groupGone() && (clearInterval(poll), process.exit(0)), 20);
    return;
  }
  console.error(`${cmd} exited (${code}) before a line matched ${pattern}:\n${seen}`);
  process.exit(1);
});
