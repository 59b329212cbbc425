// The @bulwark/redis stores on ioredis, run unbundled by Bun or Deno from the workspace's node_modules
// exactly as a user's app imports them, behind a small HTTP endpoint: the store suite, in node, calls
// every store operation through it against the real Redis. Args: <redis url> <key prefix>.
// Prints {"port": n} once listening.
import {
  createRedisRateLimitStore,
  createRedisRefreshTokenStore,
  createRedisReplayStore,
  createRedisRevocationStore,
  REDIS_CLIENT_OPTIONS,
} from '@bulwark/redis';
import { Redis } from 'ioredis';

declare const Bun: { argv: string[]; serve(o: object): { port: number } } | undefined;
declare const Deno:
  | { args: string[]; serve(o: object, handler: (request: Request) => Promise<Response>): unknown }
  | undefined;

const [url, prefix] = typeof Bun !== 'undefined' ? Bun.argv.slice(2) : Deno!.args;
const client = new Redis(url!, { ...REDIS_CLIENT_OPTIONS, lazyConnect: true });
await client.connect();

type Store = Record<string, (...args: unknown[]) => Promise<unknown>>;
const make: Record<string, () => unknown> = {
  rateLimit: () => createRedisRateLimitStore({ client, prefix: prefix! }),
  replay: () => createRedisReplayStore({ client, prefix: prefix! }),
  revocation: () => createRedisRevocationStore({ client, prefix: prefix! }),
  refresh: () => createRedisRefreshTokenStore({ client, prefix: prefix! }),
};
const stores = new Map<string, Store>();

async function handle(request: Request): Promise<Response> {
  const call = (await request.json()) as { kind?: string; id?: string; method?: string; args?: unknown[] };
  if (call.kind !== undefined) {
    const id = String(stores.size + 1);
    stores.set(id, make[call.kind]!() as Store);
    return Response.json({ id });
  }
  const store = stores.get(call.id!)!;
  try {
    return Response.json({ result: (await store[call.method!]!(...call.args!)) ?? null });
  } catch (error) {
    const e = error as { name?: string; code?: string; message?: string };
    return Response.json({ error: { name: e.name, code: e.code, message: e.message } });
  }
}

const listening = (port: number) => console.log(JSON.stringify({ port }));
if (typeof Bun !== 'undefined') {
  listening(Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: handle }).port);
} else {
  Deno!.serve(
    { hostname: '127.0.0.1', port: 0, onListen: ({ port }: { port: number }) => listening(port) },
    handle,
  );
}
