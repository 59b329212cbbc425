// Compile-time checks on the published declarations: an import that a resolution mode cannot follow
// (a subpath under node10, say) silently becomes `any` under skipLibCheck, which users all set.
import type { JwtClaims } from '@bulwark/core';
import type { fromNodeRequest } from '@bulwark/core/node';
// loadMtlsServerOptions/watchCertificateFiles come from @bulwark/core/node through the adapters' root.
import type { requireJwt as expressRequireJwt, loadMtlsServerOptions } from '@bulwark/express';
import type { requireJwt as fastifyRequireJwt, watchCertificateFiles } from '@bulwark/fastify';
import type { protect } from '@bulwark/fetch';
import type { toNodeListener } from '@bulwark/fetch/node';
import type { JwtVariables, requireJwt as honoRequireJwt } from '@bulwark/hono';
import type { BulwarkModule } from '@bulwark/nestjs';
import type { storesFromEnv } from '@bulwark/redis';
import type { Request } from 'express';
import type { FastifyRequest } from 'fastify';

type IsAny<T> = 0 extends 1 & T ? true : false;
/** Fails to compile when `T` is `any`. */
type Typed<T> = IsAny<T> extends false ? true : never;
type Fn = (...args: never[]) => unknown;
/** The function, each of its parameters and its result are real types. */
type TypedFn<F extends Fn> = Typed<F> & Typed<Parameters<F>[number]> & Typed<ReturnType<F>>;

export const checks: [
  TypedFn<typeof expressRequireJwt>,
  TypedFn<typeof fastifyRequireJwt>,
  TypedFn<typeof loadMtlsServerOptions>,
  TypedFn<typeof watchCertificateFiles>,
  TypedFn<typeof fromNodeRequest>,
  TypedFn<typeof toNodeListener>,
  TypedFn<typeof protect>,
  TypedFn<typeof storesFromEnv>,
  TypedFn<typeof BulwarkModule.forRoot>,
  TypedFn<typeof honoRequireJwt>,
  Typed<JwtVariables['claims']>,
  Typed<NonNullable<Request['auth']>>,
  Typed<NonNullable<FastifyRequest['auth']>>,
  Typed<JwtClaims['sub']>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true];
