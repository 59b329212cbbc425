#!/usr/bin/env node
import { main } from './cli.js';

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 4;
  },
);
