// Bun: the app is Bun.serve's fetch handler itself, so it receives (request, server) exactly as a user's
// `export default { fetch }` does. Prints {"port": n} once listening.
import buildApp from 'bulwark-app';
import { decodeSpec } from '../spec-decode.js';

declare const Bun: {
  file(path: string): { text(): Promise<string> };
  serve(options: {
    hostname: string;
    port: number;
    fetch: (request: Request, server: unknown) => Promise<Response>;
  }): { port: number };
};
declare const process: { argv: string[] };

const app = buildApp(decodeSpec(await Bun.file(process.argv[2]!).text()));
const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: app });
console.log(JSON.stringify({ port: server.port }));
