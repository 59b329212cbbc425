// @ts-check
// Loaded with `node --import` ahead of a docs block that is run (run.mjs). The block stays as written;
// only its surroundings change:
// - every server it starts listens on 127.0.0.1 at a free port, whatever port it asked for (the README
//   says `listen(3000)`), and the first one announces `listening <port>` on stdout;
// - HTTPS requests to the identity provider's host go to the local one the test runs (DOCS_RUN_IDP_*), its
//   certificate checked against the CA file given, by undici's connector under node's own fetch.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { Agent, buildConnector, setGlobalDispatcher } from 'undici';

const listen = net.Server.prototype.listen;
let announced = false;
/** @this {net.Server} @param {unknown[]} args */
net.Server.prototype.listen = function (...args) {
  const last = args[args.length - 1];
  const callback = typeof last === 'function' ? /** @type {() => void} */ (last) : undefined;
  this.once('listening', () => {
    const address = this.address();
    if (!announced && typeof address === 'object' && address) {
      announced = true;
      process.stdout.write(`listening ${address.port}\n`);
    }
  });
  return listen.call(this, { port: 0, host: '127.0.0.1' }, callback);
};

const host = process.env.DOCS_RUN_IDP_HOST;
const port = process.env.DOCS_RUN_IDP_PORT;
const ca = process.env.DOCS_RUN_IDP_CA;
if (host && port && ca) {
  const connect = buildConnector({ ca: readFileSync(ca) });
  setGlobalDispatcher(
    new Agent({
      connect: (options, callback) =>
        connect(
          options.hostname === host ? { ...options, hostname: '127.0.0.1', port, servername: host } : options,
          callback,
        ),
    }),
  );
}
