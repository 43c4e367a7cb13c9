#!/usr/bin/env node
// Entry shim: runs the TypeScript sources directly through tsx, so there is no build step
// between `npm ci` and a working `autocoder` command.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
