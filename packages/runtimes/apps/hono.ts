// The @bulwark/hono conformance app, as packages/hono's own node harness builds it; the runtime calls
// `app.fetch(request, runtimeArgument)`, which Hono hands the middleware as `c.env`.
import type { AppSpec } from '@bulwark/conformance';
import { honoApp } from '../../hono/test/app.js';

export default function buildHonoApp(
  spec: AppSpec,
): (request: Request, runtime?: unknown, ctx?: unknown) => Promise<Response> {
  const app = honoApp(spec);
  return async (request, runtime, ctx) => app.fetch(request, runtime, ctx as never);
}
