import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DpopOptions } from '../src/dpop/options.js';
import { createDpopVerifier, type DpopVerifier } from '../src/dpop/verifier.js';
import { fromNodeRequest } from '../src/node/request.js';

/** A resource server on 127.0.0.1:0 that checks each request's DPoP proof for a token bound to `jkt()`. */
export interface DpopServer {
  readonly server: Server;
  readonly base: string;
  readonly verifier: DpopVerifier;
  /** Each request: its proof, the status and code answered. */
  readonly seen: { proof: string; status: number; code: string }[];
  close(): Promise<void>;
}

/**
 * Start the server. Its external URL (trusted configuration) is its own loopback address, known once it
 * listens. The access token is whatever follows `DPoP ` in Authorization; its claims are `{ cnf: { jkt } }`.
 */
export async function startDpopServer(
  options: Omit<DpopOptions, 'externalUrl'>,
  jkt: () => string,
): Promise<DpopServer> {
  const seen: DpopServer['seen'] = [];
  let verifier: DpopVerifier | undefined;
  const server: Server = createServer(async (req, res) => {
    const verdict = await verifier!.check(fromNodeRequest(req), {
      token: (req.headers.authorization ?? '').replace(/^DPoP /, ''),
      claims: { cnf: { jkt: jkt() } },
    });
    const headers = verdict.ok ? verdict.headers : verdict.reply.headers;
    for (const [k, v] of headers) res.setHeader(k, v);
    res.statusCode = verdict.ok ? 200 : verdict.reply.status;
    const code = verdict.ok ? 'ok' : (verdict.error?.code ?? 'answered');
    seen.push({ proof: String(req.headers.dpop), status: res.statusCode, code });
    res.end(code);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  verifier = createDpopVerifier({ ...options, externalUrl: base });
  return {
    server,
    base,
    verifier,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
