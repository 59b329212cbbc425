import { createServer } from 'node:net';
import { request } from 'undici';

/**
 * A port free on 127.0.0.1 right now. An example API is started on it rather than on port 0 because it
 * must know its own URL at startup: DPoP proofs name it (htu) and bulwark takes it from configuration.
 */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return String(port);
}

/** One HTTP request to the API under attack; returns status, headers and parsed problem code. */
export async function call(base, path, init = {}) {
  const res = await request(new URL(path, base), {
    method: init.method ?? 'GET',
    headers: init.headers ?? {},
    body: init.body,
  });
  const text = await res.body.text();
  let code;
  try {
    code = JSON.parse(text).code;
  } catch {
    code = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, code };
}

/** What bulwark answered, in the form the table shows: `401 JWT_EXPIRED`. */
export const answer = (res) => `${res.status}${res.code ? ` ${res.code}` : ''}`;

/**
 * Compare an answer with the expectation (`'200'` or `'401 JWT_EXPIRED'`); the row the tour prints.
 * `leak` (optional) is a secret that must not appear in the response.
 */
export function row(attack, expected, res, leak) {
  const got = answer(res);
  const leaked = leak !== undefined && res.text.includes(leak);
  return { attack, expected, got: leaked ? `${got} (LEAKED INPUT)` : got, pass: got === expected && !leaked };
}
