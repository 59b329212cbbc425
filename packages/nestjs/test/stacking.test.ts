import type { AddressInfo } from 'node:net';
import 'reflect-metadata';
import {
  bearer,
  call,
  jwtSpec,
  makeMtlsPki,
  makeTestKeys,
  type MtlsPki,
  mint,
  mtlsCall,
  mtlsSpec,
  type TestKeys,
} from '@bulwark/conformance';
import { Controller, Get, type INestApplication, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizeMemberOf,
  authorizePathPrefix,
  BulwarkModule,
  type BulwarkModuleOptions,
  certificateThumbprint,
  RequireCertificateBoundToken,
  RequireJwt,
  RequireMtls,
} from '../src/index.js';

// A controller-wide requirement is a floor: a handler's own decorator adds to it, never replaces it.
// Every pair of levels is covered (class only, handler only, both), on both Nest platforms.

const ok = (): { ok: true } => ({ ok: true });

@Controller('jwt-class')
@RequireJwt({ scopes: ['admin'] })
class JwtClassController {
  @Get('plain') // class only
  plain() {
    return ok();
  }

  @Get('bare')
  @RequireJwt() // both: the handler asks for less than the class
  bare() {
    return ok();
  }

  @Get('orders')
  @RequireJwt({ scopes: ['orders:read'] }) // both: different scopes, all must be granted
  orders() {
    return ok();
  }
}

@Controller('jwt-handler')
@RequireJwt()
class JwtHandlerController {
  @Get('admin')
  @RequireJwt({ scopes: ['admin'] })
  admin() {
    return ok();
  }

  @Get('tenant')
  @RequireJwt({ claims: (c) => c.tenant === 'acme' })
  tenant() {
    return ok();
  }
}

@Controller('jwt-only')
class JwtOnlyController {
  @Get('admin')
  @RequireJwt({ scopes: ['admin'] }) // handler only
  admin() {
    return ok();
  }
}

const billingOnly = { authorize: authorizePathPrefix('corp.example.com', '/ns/billing') };
const anyCorp = { authorize: authorizeMemberOf('corp.example.com') };

@Controller('mtls-class')
@RequireMtls(billingOnly)
class MtlsClassController {
  @Get('plain')
  plain() {
    return ok();
  }

  @Get('loose')
  @RequireMtls(anyCorp)
  loose() {
    return ok();
  }

  @Get('default')
  @RequireMtls() // the module default (anyCorp) on top of the class policy
  byDefault() {
    return ok();
  }
}

@Controller('mtls-handler')
@RequireMtls()
class MtlsHandlerController {
  @Get('strict')
  @RequireMtls(billingOnly)
  strict() {
    return ok();
  }
}

@Controller('bound-class')
@RequireCertificateBoundToken({ required: true })
class BoundClassController {
  @Get('jwt')
  @RequireJwt() // the class binding still applies
  jwt() {
    return ok();
  }

  @Get('lax')
  @RequireCertificateBoundToken() // required: true from the class still holds
  @RequireJwt()
  lax() {
    return ok();
  }
}

@Controller('bound-order')
class BoundOrderController {
  @Get('above')
  @RequireCertificateBoundToken({ required: true })
  @RequireJwt()
  above() {
    return ok();
  }

  @Get('below') // written below @RequireJwt: its guard runs first, and must still see verified claims
  @RequireJwt({ scopes: ['orders:read'] })
  @RequireCertificateBoundToken({ required: true })
  below() {
    return ok();
  }

  @Get('alone') // implies a verified token: it cannot check a binding without one
  @RequireCertificateBoundToken({ required: true })
  alone() {
    return ok();
  }
}

@Controller('bound-jwt-class')
@RequireJwt({ scopes: ['admin'] })
class BoundJwtClassController {
  @Get('bound')
  @RequireCertificateBoundToken({ required: true })
  bound() {
    return ok();
  }
}

type Platform = 'express' | 'fastify';

async function start(
  platform: Platform,
  controllers: Type<unknown>[],
  options: BulwarkModuleOptions,
  tls?: ReturnType<typeof mtlsSpec>['tls'],
): Promise<{ app: INestApplication; url: string }> {
  @Module({ imports: [BulwarkModule.forRoot(options)], controllers })
  class AppModule {}
  const adapter =
    platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(tls ? { https: tls } : undefined);
  const app = await NestFactory.create(AppModule, adapter, {
    ...((tls && platform === 'express' ? { httpsOptions: tls } : {}) as object),
    logger: false,
    abortOnError: false,
  });
  await app.listen(0, '127.0.0.1');
  // From the server itself: NestJS 11's getUrl() says http for a fastify adapter created with { https }.
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}` };
}

for (const platform of ['express', 'fastify'] as const) {
  describe(`nestjs (${platform}): @RequireJwt on controller and handler`, () => {
    let keys: TestKeys;
    let app: INestApplication;
    let url: string;
    const get = async (path: string, scope?: string, claims: Record<string, unknown> = {}) => {
      const headers = scope === undefined ? {} : bearer(await mint(keys, { claims: { scope, ...claims } }));
      return (await call(url, path, { headers })).status;
    };

    beforeAll(async () => {
      keys = await makeTestKeys();
      ({ app, url } = await start(platform, [JwtClassController, JwtHandlerController, JwtOnlyController], {
        jwt: jwtSpec(keys),
      }));
    });
    afterAll(async () => {
      await app?.close();
    });

    it('class only and handler only: the scope is required', async () => {
      for (const path of ['/jwt-class/plain', '/jwt-only/admin']) {
        expect(await get(path), path).toBe(401);
        expect(await get(path, 'orders:read'), path).toBe(403);
        expect(await get(path, 'admin'), path).toBe(200);
      }
    });

    it('a handler @RequireJwt() does not drop the controller scope', async () => {
      expect(await get('/jwt-class/bare')).toBe(401);
      expect(await get('/jwt-class/bare', 'orders:read')).toBe(403);
      expect(await get('/jwt-class/bare', 'admin')).toBe(200);
    });

    it('controller and handler scopes must both be granted', async () => {
      expect(await get('/jwt-class/orders', 'orders:read')).toBe(403);
      expect(await get('/jwt-class/orders', 'admin')).toBe(403);
      expect(await get('/jwt-class/orders', 'admin orders:read')).toBe(200);
    });

    it('a handler adds its scope and claims rules to a bare controller @RequireJwt()', async () => {
      expect(await get('/jwt-handler/admin', 'orders:read')).toBe(403);
      expect(await get('/jwt-handler/admin', 'admin')).toBe(200);
      expect(await get('/jwt-handler/tenant', 'x', { tenant: 'evil' })).toBe(403);
      expect(await get('/jwt-handler/tenant', 'x', { tenant: 'acme' })).toBe(200);
    });
  });

  describe(`nestjs (${platform}): @RequireMtls and @RequireCertificateBoundToken on both levels`, () => {
    let pki: MtlsPki;
    let keys: TestKeys;
    let app: INestApplication;
    let url: string;

    beforeAll(async () => {
      pki = await makeMtlsPki();
      keys = await makeTestKeys();
      ({ app, url } = await start(
        platform,
        [
          MtlsClassController,
          MtlsHandlerController,
          BoundClassController,
          BoundOrderController,
          BoundJwtClassController,
        ],
        { jwt: jwtSpec(keys), mtls: anyCorp },
        mtlsSpec(pki).tls,
      ));
    });
    afterAll(async () => {
      await app?.close();
    });

    it('@RequireMtls: the controller policy holds under a looser handler policy or the module default', async () => {
      for (const path of ['/mtls-class/plain', '/mtls-class/loose', '/mtls-class/default']) {
        expect((await mtlsCall(url, path, pki, pki.billing)).status, path).toBe(200);
        expect((await mtlsCall(url, path, pki, pki.evil)).status, path).toBe(403);
      }
      expect((await mtlsCall(url, '/mtls-handler/strict', pki, pki.billing)).status).toBe(200);
      expect((await mtlsCall(url, '/mtls-handler/strict', pki, pki.evil)).status).toBe(403);
    });

    it('@RequireCertificateBoundToken: the controller binding holds, in any decorator order', async () => {
      const x5t = await certificateThumbprint(pki.billing.der);
      const boundToken = await mint(keys, { claims: { cnf: { 'x5t#S256': x5t }, scope: 'orders:read' } });
      const unbound = await mint(keys);
      const paths = [
        '/bound-class/jwt',
        '/bound-class/lax',
        '/bound-order/above',
        '/bound-order/below',
        '/bound-order/alone',
      ];
      for (const path of paths) {
        const good = await mtlsCall(url, path, pki, pki.billing, bearer(boundToken));
        expect(good.status, `${path} ${good.text}`).toBe(200);
        const plain = await mtlsCall(url, path, pki, pki.billing, bearer(unbound));
        expect(JSON.parse(plain.text), path).toMatchObject({ status: 401, code: 'MTLS_TOKEN_NOT_BOUND' });
        const stolen = await mtlsCall(url, path, pki, pki.evil, bearer(boundToken));
        expect(JSON.parse(stolen.text), path).toMatchObject({
          status: 401,
          code: 'MTLS_TOKEN_BINDING_MISMATCH',
        });
        const none = await mtlsCall(url, path, pki, pki.billing);
        expect(none.status, path).toBe(401);
      }
    });

    it('a controller @RequireJwt scope holds on a handler with only @RequireCertificateBoundToken', async () => {
      const x5t = await certificateThumbprint(pki.billing.der);
      const noAdmin = await mint(keys, { claims: { cnf: { 'x5t#S256': x5t } } });
      const admin = await mint(keys, { claims: { cnf: { 'x5t#S256': x5t }, scope: 'admin' } });
      expect((await mtlsCall(url, '/bound-jwt-class/bound', pki, pki.billing, bearer(noAdmin))).status).toBe(
        403,
      );
      expect((await mtlsCall(url, '/bound-jwt-class/bound', pki, pki.billing, bearer(admin))).status).toBe(
        200,
      );
    });
  });
}
