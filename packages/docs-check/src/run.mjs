// @ts-check
// Run a docs block as a user runs it: the module a `run=` block compiles as (its used blocks, its hidden
// context, its code) is transpiled to JavaScript and started with node in a project that resolves packages
// as a user's does. Two things are arranged from outside the code, by a preload (run-preload.mjs): every
// server it starts listens on 127.0.0.1 at a free port (announced as `listening <port>`), and its requests
// to the identity provider the docs name (https://id.example.com) reach a local HTTPS server with a
// certificate for that name, which answers its JWKS as an IdP does.
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';
import ts from 'typescript';
import { moduleOf } from './blocks.mjs';
import { PACKAGE_DIR } from './compile.mjs';

/** The identity provider the README's policy names. */
export const IDP = { host: 'id.example.com', issuer: 'https://id.example.com/' };

/**
 * A local identity provider for `IDP.host`: HTTPS with a certificate for that name (from a throw-away CA
 * file the child trusts), `/.well-known/jwks.json` served as JSON, and a signer for tokens it issues (or
 * signed by a key it does not publish).
 * @param {string} dir a folder for the certificate files
 */
export async function localIdentityProvider(dir) {
  const cert = join(dir, 'idp-cert.pem');
  const key = join(dir, 'idp-key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      `/CN=${IDP.host}`,
      '-addext',
      `subjectAltName=DNS:${IDP.host}`,
    ],
    { stdio: 'ignore' },
  );
  const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwks = JSON.stringify({
    keys: [{ ...signing.publicKey.export({ format: 'jwk' }), kid: 'docs', alg: 'RS256', use: 'sig' }],
  });
  let requests = 0;
  const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
    requests++;
    if (req.url === '/.well-known/jwks.json')
      res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    else res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const part = (/** @type {unknown} */ value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  /**
   * @param {Record<string, unknown>} claims
   * @param {{ stranger?: boolean }} [options]
   */
  const token = (claims, options = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const input = `${part({ alg: 'RS256', typ: 'JWT', kid: 'docs' })}.${part({ iss: IDP.issuer, iat: now, exp: now + 300, ...claims })}`;
    const privateKey = options.stranger ? stranger.privateKey : signing.privateKey;
    return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
  };
  return {
    /** Environment for the child: where the IdP really is and the CA to trust for it. */
    env: { DOCS_RUN_IDP_HOST: IDP.host, DOCS_RUN_IDP_PORT: String(port), DOCS_RUN_IDP_CA: cert },
    token,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}

/**
 * The JavaScript a `run=` block compiles to (decorators as NestJS needs them), written into `dir`, and the
 * entry file node starts: the block itself, or for `fetch` a module that serves its default export's
 * `fetch` through `@bulwark/fetch/node` as a runtime serves `export default { fetch }`.
 * @param {import('./blocks.mjs').Block} block
 * @param {import('./blocks.mjs').Block[]} page
 * @param {string} dir
 * @param {string} name
 */
export function writeRunnable(block, page, dir, name) {
  const { source } = moduleOf(block, page);
  const js = ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      useDefineForClassFields: false,
    },
  }).outputText;
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, js);
  if (block.run !== 'fetch') return file;
  const entry = join(dir, `${name}.serve.mjs`);
  writeFileSync(
    entry,
    [
      "import { createServer } from 'node:http';",
      "import { toNodeListener } from '@bulwark/fetch/node';",
      `import app from './${name}.mjs';`,
      'createServer(toNodeListener(app.fetch)).listen(0);',
      '',
    ].join('\n'),
  );
  return entry;
}

/**
 * Start `node --import run-preload.mjs file` in `dir`; resolves with the port it announced.
 * @param {string} file @param {string} dir @param {Record<string, string>} env
 */
export function startApp(file, dir, env) {
  const preload = join(PACKAGE_DIR, 'src', 'run-preload.mjs');
  const child = spawn(process.execPath, ['--import', preload, file], {
    cwd: dir,
    env: { ...process.env, ...env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  /** @type {Promise<number>} */
  const port = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" within 30 s:\n${output}`)), 30_000);
    /** @param {Buffer} chunk */
    const read = (chunk) => {
      output += chunk;
      const m = /^listening (\d+)$/m.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
  });
  return {
    port,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(undefined);
        child.once('exit', () => resolve(undefined));
        child.kill();
      }),
  };
}
