import type { AbstractHttpAdapter } from '@nestjs/core';

type ParserRegistration = (this: unknown, prefix?: string, rawBody?: boolean) => unknown;

const watched = new WeakSet<object>();
const rawBodyByAdapter = new WeakMap<object, boolean>();

/**
 * Note the `rawBody` flag NestJS hands the platform adapter when `app.init()` registers its body parsers
 * (`NestFactory.create(AppModule, { rawBody: true })`). NestJS keeps its application options to itself;
 * this is the one place they reach something bulwark can see, before any module's `onModuleInit` runs.
 *
 * @example
 * watchBodyParsers(adapterHost.httpAdapter); // in the module's constructor, before app.init()
 */
export function watchBodyParsers(adapter: AbstractHttpAdapter): void {
  const target = adapter as unknown as { registerParserMiddleware?: ParserRegistration };
  const register = target.registerParserMiddleware;
  if (typeof register !== 'function' || watched.has(adapter)) return;
  watched.add(adapter);
  target.registerParserMiddleware = function registerParserMiddleware(prefix, rawBody) {
    rawBodyByAdapter.set(adapter, rawBody === true);
    return register.call(this, prefix, rawBody);
  };
}

/**
 * Whether NestJS registered its body parsers keeping the raw bytes: `true`/`false` once seen, `undefined`
 * when it is not known (the app was built from a testing module, or with `bodyParser: false`, where the
 * guard reads the unparsed body itself).
 *
 * @example
 * if (rawBodyOf(adapter) === false) throw new ConfigError(…);
 */
export function rawBodyOf(adapter: AbstractHttpAdapter | undefined): boolean | undefined {
  return adapter === undefined || adapter === null ? undefined : rawBodyByAdapter.get(adapter);
}
