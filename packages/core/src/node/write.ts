import { IncomingMessage, ServerResponse, validateHeaderName, validateHeaderValue } from 'node:http';
import { Socket } from 'node:net';
import { appendVary } from '../http/vary.js';
import type { HeaderList, HeaderPair } from '../verdict.js';
import { keepVary } from './vary.js';

/** node's response header table: lowercase name → [name as set, value], a null-prototype object. */
type HeaderTable = Record<string, [string, string | string[] | number]>;

/**
 * The key under which node keeps the headers `setHeader` stores (the table `getHeader`, `removeHeader`
 * and the head written by `writeHead` all read), found by looking, never assumed: a probe response gets one
 * header through `setHeader`, and the key is used only if the table then has node's shape and a pair put
 * there directly reads back through node's public methods exactly as a `setHeader` would. Undefined
 * elsewhere (another runtime's node:http, a future node storing headers differently): headers are then set
 * one `setHeader` at a time.
 */
const TABLE: symbol | undefined = findHeaderTable();

function findHeaderTable(): symbol | undefined {
  try {
    const probe = new ServerResponse(new IncomingMessage(new Socket()));
    probe.setHeader('X-Bulwark-Probe', 'a');
    for (const key of Object.getOwnPropertySymbols(probe)) {
      const table = (probe as unknown as Record<symbol, unknown>)[key] as HeaderTable | null;
      const entry = typeof table === 'object' && table !== null ? table['x-bulwark-probe'] : undefined;
      if (!Array.isArray(entry) || entry[0] !== 'X-Bulwark-Probe' || entry[1] !== 'a') continue;
      if (Object.getPrototypeOf(table) !== null || Object.keys(table!).length !== 1) continue;
      // A fresh response holds the key already (null until its first header): that is how a response
      // node writes is told from one that only looks like it (see tableOf).
      const check = new ServerResponse(new IncomingMessage(new Socket()));
      if ((check as unknown as Record<symbol, unknown>)[key] !== null) continue;
      // Written directly into a fresh response, a pair must read back as setHeader's does.
      check.setHeader('x-first', '1');
      const own = (check as unknown as Record<symbol, HeaderTable>)[key];
      if (typeof own !== 'object' || own === null) continue;
      own['x-second'] = ['X-Second', '2'];
      if (
        check.getHeader('x-second') !== '2' ||
        !check.hasHeader('X-Second') ||
        check.getHeaderNames().join() !== 'x-first,x-second'
      ) {
        continue;
      }
      check.removeHeader('x-second');
      if (check.hasHeader('x-second')) continue;
      return key;
    }
  } catch {
    // No usable node:http here: every header goes through setHeader.
  }
  return undefined;
}

/** Whether headers are written straight into node's table here (false: one setHeader per pair). */
export const DIRECT_HEADER_WRITES: boolean = TABLE !== undefined;

/**
 * What core's `setHeaders` does with one pair: `vary` merged with the response's and kept through the head
 * (keepVary), `set-cookie` appended, every other field set. Exact names, as `setHeaders` has always told them.
 */
export function setOneHeader(res: ServerResponse, name: string, value: string): void {
  if (name === 'vary') {
    res.setHeader('vary', appendVary(res.getHeader('vary') as string | undefined, value));
    keepVary(res, value);
  } else if (name === 'set-cookie') res.appendHeader('set-cookie', value);
  else res.setHeader(name, value);
}

/**
 * A constant header list checked once: each name and value passed node's own `validateHeaderName` and
 * `validateHeaderValue` when it was prepared, so writing it needs none of the per-pair checks `setHeader`
 * repeats on every response.
 */
export interface PreparedHeaders {
  /**
   * [lowercase name, name, value] of every pair, in order; the lowercase name is '' for a pair that goes
   * through `setHeaders`' own path (a `vary` or `set-cookie` field: merged, appended, never replaced).
   */
  readonly pairs: readonly (readonly [string, string, string])[];
  /** The list it was prepared from. */
  readonly list: HeaderList;
}

/**
 * Prepare a constant header list (a rule's precomputed answer) for {@link writePrepared}. Throws node's
 * own error for a name or value node would refuse, as `setHeader` would on the first request.
 *
 * @example
 * const prepared = prepareHeaders(policy.check().headers);
 */
export function prepareHeaders(list: HeaderList): PreparedHeaders {
  const pairs: [string, string, string][] = [];
  for (let i = 0; i < list.length; i++) {
    const [name, value] = list[i]!;
    validateHeaderName(name);
    validateHeaderValue(name, value);
    const lower = name.toLowerCase();
    pairs.push([lower === 'vary' || lower === 'set-cookie' ? '' : lower, name, value]);
  }
  return { pairs, list };
}

/**
 * The header table of `res`, created as node's setHeader would create it; undefined when `res` is not a
 * response node's own http writes (an HTTP/2 compatibility response, a stand-in object): it has no such key.
 */
function tableOf(res: ServerResponse): HeaderTable | undefined {
  if (TABLE === undefined || res.headersSent) return undefined;
  const holder = res as unknown as Record<symbol, HeaderTable | null | undefined>;
  const table = holder[TABLE];
  if (table !== null) return table;
  // What setHeader would create: a table that inherits nothing. Its prototype is an empty object that itself
  // inherits nothing (no name resolves through it), so the table keeps V8's fast properties while the same
  // names are added in the same order, response after response.
  const created = Object.create(EMPTY) as HeaderTable;
  holder[TABLE] = created;
  return created;
}

const EMPTY: object = Object.freeze(Object.create(null));

/**
 * Set a prepared list on a node response with the effect of core's `setHeaders` (one `setHeader` per
 * pair, in order): the headers are the response's own, so they are sent whatever writes the head, a later
 * `setHeader` of the same name replaces them, and `getHeader`/`removeHeader` see them.
 *
 * @example
 * writePrepared(reply.raw, prepared);
 */
export function writePrepared(res: ServerResponse, prepared: PreparedHeaders): void {
  const table = tableOf(res);
  const pairs = prepared.pairs;
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    // A fresh entry per response: node's appendHeader edits the entry it finds in place.
    if (table !== undefined && pair[0] !== '') table[pair[0]] = [pair[1], pair[2]];
    else setOneHeader(res, pair[1], pair[2]);
  }
}

/**
 * Frozen lists and pairs node's validators passed, by identity. A rule's constant answers (a policy's
 * security headers, a CORS grant, a rate limit's policy) are the same frozen objects request after request,
 * and a frozen list or pair cannot change after it was checked. Weak: dropped with the rule that held them.
 */
const LISTS = new WeakMap<HeaderList, PreparedHeaders>();
/** A frozen pair's lowercase name, or '' for a Vary or Set-Cookie pair (never written directly). */
const PAIRS = new WeakMap<HeaderPair, string>();

/** {@link PAIRS}' answer for a frozen pair, validated by node on first sight (throwing as setHeader would). */
function checkedName(pair: HeaderPair): string {
  const known = PAIRS.get(pair);
  if (known !== undefined) return known;
  const name = pair[0];
  validateHeaderName(name);
  validateHeaderValue(name, pair[1]);
  const lower = name.toLowerCase();
  const direct = lower === 'vary' || lower === 'set-cookie' ? '' : lower;
  PAIRS.set(pair, direct);
  return direct;
}

/**
 * Core's `setHeaders` (one `setHeader` per pair, in order; `vary` merged and kept, `set-cookie` appended)
 * for a verdict's header list, where what is frozen, checked by node's validators the first time it is
 * seen, goes straight into node's header table: a frozen list as a whole (one lookup), else each frozen
 * pair. A pair built per request (a RateLimit count) still goes through `setHeader`'s checks. A later
 * `setHeader` of the same name still replaces what was written here, as it would replace a `setHeader`.
 *
 * @example
 * writeHeaders(res, verdict.headers);
 */
export function writeHeaders(res: ServerResponse, list: HeaderList): void {
  if (Object.isFrozen(list)) {
    let prepared = LISTS.get(list);
    if (prepared === undefined) {
      prepared = prepareHeaders(list);
      LISTS.set(list, prepared);
    }
    writePrepared(res, prepared);
    return;
  }
  const table = tableOf(res);
  for (let i = 0; i < list.length; i++) {
    const pair = list[i]!;
    const lower = table !== undefined && Object.isFrozen(pair) ? checkedName(pair) : '';
    // A fresh entry per response: node's appendHeader edits the entry it finds in place.
    if (lower !== '') table![lower] = [pair[0], pair[1]];
    else setOneHeader(res, pair[0], pair[1]);
  }
}
