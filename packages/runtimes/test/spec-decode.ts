import { createOidcClient, createOidcLogin } from '@bulwark/core';

/** The factories a spec may name in `$build`: the rules the conformance specs build through `built()`. */
const FACTORIES: Readonly<Record<string, (options: never) => unknown>> = {
  createOidcClient,
  createOidcLogin,
};

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if ('$re' in o) {
    const [source, flags] = o.$re as [string, string];
    return new RegExp(source, flags);
  }
  if ('$bytes' in o) return decodeBase64(o.$bytes as string);
  if ('$fn' in o) return () => {};
  if ('$build' in o) {
    const factory = FACTORIES[o.$build as string];
    if (factory === undefined) throw new Error(`spec names an unknown factory ${String(o.$build)}`);
    return factory(decode(o.options) as never);
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(o)) out[key] = decode(v);
  return out;
}

/**
 * Rebuild, inside the runtime under test, the spec the node test process encoded (see spec-encode.ts).
 *
 * @example
 * const app = fetchApp(decodeSpec(env.SPEC));
 */
export function decodeSpec<T>(text: string): T {
  return decode(JSON.parse(text)) as T;
}
