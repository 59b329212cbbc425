import { createServer } from 'node:http';
import {
  captureConsole,
  defineObservabilitySuite,
  defineTelemetrySuite,
  type ObservabilityHarness,
} from '@bulwark/conformance';
import express from 'express';
import { afterAll } from 'vitest';
import { observe, rateLimit, requireJwt } from '../src/index.js';
import { closeServer, listen } from './harness.js';

const consoleLog = captureConsole();
afterAll(() => consoleLog.restore());

const harness: ObservabilityHarness = {
  name: 'express',
  async start(rules, events) {
    const app = express();
    if (events !== undefined) observe(app, events);
    app.get('/orders', rateLimit(rules.rateLimit), requireJwt(rules.jwt), (_req, res) => {
      res.json({ ok: true });
    });
    app.get('/open', (_req, res) => {
      res.json({ ok: true });
    });
    const server = createServer(app);
    const url = await listen(server);
    return { url, server, close: () => closeServer(server) };
  },
  takeFrameworkLog: () => consoleLog.take(),
};

defineObservabilitySuite(harness);
defineTelemetrySuite(harness);
