import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

// The conformance suites of the adapters and stores, run against the majors installed in this package
// (express 4, NestJS 11, ioredis 6, and Hono 4.8.4, the lowest @bulwark/hono's peer range admits) instead
// of the ones the adapters are developed with. Every bare import
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

// Hono is ESM with an exports map: each subpath the adapter and its apps import, to its file.
const honoFiles: Record<string, string> = {
  hono: 'dist/index.js',
  'hono/http-exception': 'dist/http-exception.js',
  'hono/route': 'dist/helper/route/index.js',
  'hono/body-limit': 'dist/middleware/body-limit/index.js',
};

export default defineProject({
  resolve: {
    conditions: ['bulwark-source'],
    alias: [
      ...majors.map((name) => ({
        find: new RegExp(`^${name.replace('/', '\\/')}(?=$|/)`),
        replacement: installed(name),
      })),
      ...Object.entries(honoFiles).map(([name, file]) => ({
        find: new RegExp(`^${name.replace('/', '\\/')}$`),
        replacement: `${installed('hono')}/${file}`,
      })),
    ],
  },
  ssr: { resolve: { conditions: ['bulwark-source'] } },
  test: { name: 'compat', testTimeout: 20_000, hookTimeout: 60_000 },
});
