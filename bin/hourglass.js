#!/usr/bin/env node
// The `hourglass` command: registers tsx so the CLI and users' TypeScript specs load directly.
import { register } from 'tsx/esm/api';

register();
await import('../runtime/cli/main.ts');
