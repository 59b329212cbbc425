import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

// The conformance suites of the adapters and stores, run against the majors installed in this package
// (express 4, NestJS 11, ioredis 6) instead of the ones the adapters are developed with. Every bare import
// of these packages, in the adapters' sources and their test harnesses alike, goes to this package's
// copies: a user on express 4 runs @bulwark/express against express 4, not against our devDependency.
const here = fileURLToPath(new URL('.', import.meta.url));
const installed = (name: string): string => realpathSync(`${here}node_modules/${name}`);
const majors = [
  'express',
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  '@nestjs/platform-fastify',
  '@nestjs/testing',
  'ioredis',
];

export default defineProject({
  resolve: {
    conditions: ['bulwark-source'],
    alias: majors.map((name) => ({
      find: new RegExp(`^${name.replace('/', '\\/')}(?=$|/)`),
      replacement: installed(name),
    })),
  },
  ssr: { resolve: { conditions: ['bulwark-source'] } },
  test: { name: 'compat', testTimeout: 20_000, hookTimeout: 60_000 },
});
