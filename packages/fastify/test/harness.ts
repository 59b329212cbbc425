import type { AdapterHarness, AppSpec, RunningApp } from '@bulwark/conformance';
import Fastify from 'fastify';
import { bulwark, requireJwt } from '../src/index.js';

/** Builds the conformance app (see AppSpec) with @bulwark/fastify. */
export const fastifyHarness: AdapterHarness = {
  name: 'fastify',
  async start(spec: AppSpec): Promise<RunningApp> {
    const app = Fastify();
    await app.register(bulwark, {});
    app.get('/health', async () => ({ ok: true }));
    if (spec.jwt) {
      app.get('/me', { preHandler: requireJwt(spec.jwt) }, async (request) => ({ claims: request.auth }));
    }
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, close: () => app.close() };
  },
};
