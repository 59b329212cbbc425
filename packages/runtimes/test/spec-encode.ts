import { type AppSpec, recipeOf } from '@bulwark/conformance';

/**
 * The conformance spec as text another runtime can rebuild the app from. Options are data; a few values
 * are not JSON and get a tagged form: RegExp (`$re`), bytes (`$bytes`), a rule built with `built()` (its
 * factory and options, `$build`) and `onEvent` sinks (`$fn: 'noop'`: the scenarios only silence events).
 * Anything else that is not plain data (a rule built inline, a key object, a TLS server option) cannot
 * cross a process boundary and is refused with its path, so a harness never runs a weaker app than asked.
 *
 * @example
 * writeFileSync(file, encodeSpec(spec));
 */
export function encodeSpec(spec: AppSpec): string {
  return JSON.stringify(encode(spec, 'spec'));
}

function encode(value: unknown, path: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${path}: ${value} has no JSON form`);
    return value;
  }
  if (value === undefined) return undefined;
  if (typeof value === 'function') {
    if (path.endsWith('.onEvent')) return { $fn: 'noop' };
    throw new Error(`${path}: a function cannot be sent to another runtime`);
  }
  if (typeof value !== 'object')
    throw new Error(`${path}: ${typeof value} cannot be sent to another runtime`);
  if (value instanceof RegExp) return { $re: [value.source, value.flags] };
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return value.map((v, i) => encode(v, `${path}[${i}]`));
  const recipe = recipeOf(value);
  if (recipe !== undefined) {
    return { $build: recipe.factory, options: encode(recipe.options, `${path}(${recipe.factory})`) };
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new Error(
      `${path}: a ${proto?.constructor?.name ?? 'non-plain'} object lives in this process and cannot be sent to another runtime`,
    );
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key.startsWith('$'))
      throw new Error(`${path}.${key}: keys starting with $ are reserved by the encoding`);
    const encoded = encode(v, `${path}.${key}`);
    if (encoded !== undefined) out[key] = encoded;
  }
  return out;
}
