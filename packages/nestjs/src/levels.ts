import type { ExecutionContext } from '@nestjs/common';
import type { ModulesContainer, Reflector } from '@nestjs/core';

/**
 * A bulwark decorator's metadata at both levels of a route, controller first. Both apply: a controller-wide
 * requirement is a floor that a handler's own decorator adds to, never replaces (`getAllAndOverride` would
 * silently drop the controller's `@RequireJwt({ scopes: ['admin'] })` under a handler's bare `@RequireJwt()`).
 *
 * @example
 * const routes = bothLevels<JwtRoute>(reflector, REQUIRE_JWT_METADATA, context); // [controller?, handler?]
 */
export function bothLevels<T>(reflector: Reflector, key: string, context: ExecutionContext): T[] {
  const out: T[] = [];
  const controller = reflector.get<T | undefined>(key, context.getClass());
  if (controller !== undefined) out.push(controller);
  const handler = reflector.get<T | undefined>(key, context.getHandler());
  if (handler !== undefined) out.push(handler);
  return out;
}

/** One route of the app as the startup checks see it. */
export interface DeclaredRoute {
  /** The controller class. */
  readonly controller: object;
  /** The handler method. */
  readonly handler: object;
  /** `Controller.method`, for error messages. */
  readonly where: string;
}

/**
 * Every handler of every controller in the app, so decorator mistakes fail at startup (`onModuleInit`)
 * instead of answering 500 on the first request.
 *
 * @example
 * for (const route of declaredRoutes(modules)) check(reflector.get(KEY, route.controller), reflector.get(KEY, route.handler));
 */
export function* declaredRoutes(modules: ModulesContainer): Generator<DeclaredRoute> {
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (abstract new (...args: never[]) => unknown) | null;
      if (typeof type !== 'function') continue;
      const seen = new Set<string>();
      for (
        let proto = type.prototype;
        proto && proto !== Object.prototype;
        proto = Object.getPrototypeOf(proto)
      ) {
        for (const key of Object.getOwnPropertyNames(proto)) {
          if (key === 'constructor' || seen.has(key)) continue;
          const method = Object.getOwnPropertyDescriptor(proto, key)?.value;
          if (typeof method !== 'function') continue;
          seen.add(key);
          yield { controller: type, handler: method as object, where: `${type.name}.${key}` };
        }
      }
    }
  }
}
