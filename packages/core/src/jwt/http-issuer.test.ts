// dangerouslyAllowHttpIssuer: a development identity provider on plain http from a host that is not
// loopback by name (127.0.0.2 stands in for docker compose's keycloak:8080), refused without the opt-in,
// fetched with it (JWKS and discovery), with a warning when the verifier is built.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AUDIENCE, keyPair, token } from '../../test/jwt-fixtures.js';
import { isConfigError } from '../errors.js';
import type { RequestLike } from '../http/request.js';
import { createJwtVerifier } from './verifier.js';

const pair = keyPair('RS256', 'dev');
let server: Server;
let origin = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const json = (body: unknown) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/realms/dev/.well-known/openid-configuration')
      json({ issuer: `${origin}/realms/dev`, jwks_uri: `${origin}/realms/dev/certs` });
    else if (req.url === '/realms/dev/certs') json({ keys: [pair.publicJwk] });
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  const address = server.address();
  origin = `http://127.0.0.2:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const bearer = (t: string): RequestLike => ({
  method: 'GET',
  url: '/',
  header: (n) => (n === 'authorization' ? `Bearer ${t}` : undefined),
});
const now = () => Math.floor(Date.now() / 1000);

describe('dangerouslyAllowHttpIssuer', () => {
  it('without it, an http JWKS or issuer on a non-loopback host is a ConfigError naming the opt-in', () => {
    for (const options of [{ jwksUri: `${origin}/realms/dev/certs` }, { discovery: true as const }]) {
      try {
        createJwtVerifier({
          algorithms: ['RS256'],
          issuer: `${origin}/realms/dev`,
          audience: AUDIENCE,
          ...options,
        });
        expect.unreachable();
      } catch (error) {
        expect(isConfigError(error) && error.option).toMatch(/^jwt\.(jwksUri|issuer)$/);
        expect(String(error)).toContain('dangerouslyAllowHttpIssuer: true');
      }
    }
  });

  it('with it, warns when built and verifies against the http JWKS and through http discovery', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      for (const source of [{ jwksUri: `${origin}/realms/dev/certs` }, { discovery: true as const }]) {
        const issuer = `${origin}/realms/dev`;
        const jwt = createJwtVerifier({
          algorithms: ['RS256'],
          issuer,
          audience: AUDIENCE,
          dangerouslyAllowHttpIssuer: true,
          ...source,
        });
        const verdict = await jwt.check(bearer(token(pair, now(), { iss: issuer })));
        expect(verdict.ok && verdict.value.sub).toBe('user-1');
      }
      expect(warn).toHaveBeenCalledTimes(2);
      expect(String(warn.mock.calls[0]?.[0])).toMatch(/dangerouslyAllowHttpIssuer.*Development only/s);
    } finally {
      warn.mockRestore();
    }
  });

  it('takes true only', () => {
    try {
      createJwtVerifier({
        algorithms: ['RS256'],
        issuer: `${origin}/realms/dev`,
        audience: AUDIENCE,
        jwksUri: `${origin}/realms/dev/certs`,
        dangerouslyAllowHttpIssuer: 'yes' as never,
      });
      expect.unreachable();
    } catch (error) {
      expect(isConfigError(error) && error.option).toBe('jwt.dangerouslyAllowHttpIssuer');
    }
  });
});
