import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { AdapterHarness, AppSpec, RunningApp } from '@bulwark/conformance';
import { serve } from '@hono/node-server';
import { honoApp } from './app.js';

/** Builds the conformance app (see AppSpec) with @bulwark/hono, served on node by @hono/node-server. */
export const honoHarness: AdapterHarness = {
  name: 'hono',
  async start(spec: AppSpec): Promise<RunningApp> {
    const app = honoApp(spec);
    const server = await new Promise<Server>((resolve) => {
      const s = serve(
        {
          fetch: app.fetch,
          hostname: '127.0.0.1',
          port: 0,
          ...(spec.mtls ? { createServer: createHttpsServer, serverOptions: spec.mtls.tls } : {}),
        },
        () => resolve(s as Server),
      );
    });
    spec.mtls?.onServer?.(server as never);
    return {
      url: `${spec.mtls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  },
};
