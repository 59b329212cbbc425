// Deno: the app is Deno.serve's handler itself, so it receives (request, info) exactly as a user's
// `Deno.serve(handler)` or `deno serve` module does. Prints {"port": n} once listening.
import buildApp from 'bulwark-app';
import { decodeSpec } from '../spec-decode.js';

declare const Deno: {
  args: string[];
  readTextFile(path: string): Promise<string>;
  serve(
    options: { hostname: string; port: number; onListen(address: { port: number }): void },
    handler: (request: Request, info: unknown) => Promise<Response>,
  ): unknown;
};

const app = buildApp(decodeSpec(await Deno.readTextFile(Deno.args[0]!)));
Deno.serve(
  { hostname: '127.0.0.1', port: 0, onListen: ({ port }) => console.log(JSON.stringify({ port })) },
  app,
);
