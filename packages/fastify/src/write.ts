import { IncomingMessage, ServerResponse, validateHeaderName, validateHeaderValue } from 'node:http';
import { Socket } from 'node:net';
import type { Allowed, HeaderList, HeaderPair } from '@bulwark/core';
import { applyAllowed, setHeaders } from '@bulwark/core/node';

/** node's response header table: lowercase name → [name as set, value], a null-prototype object. */
type HeaderTable = Record<string, [string, string | string[] | number]>;

/**
 * The key under which node keeps the headers `setHeader` stores (the table `getHeader`, `removeHeader`
 * and the head written by `writeHead` all read), found by looking, never assumed: a probe response gets one
 * header through `setHeader`, and the key is used only if the table then has node's shape and a pair put
 * there directly reads back through node's public methods exactly as a `setHeader` would. Undefined
 * elsewhere (another runtime's node:http, a future node storing headers differently): headers are then set
 * one `setHeader` at a time, as before.
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
      // Written directly into a fresh response, a pair must read back as setHeader's does.
      const check = new ServerResponse(new IncomingMessage(new Socket()));
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

/**
 * A constant header list checked once: each name and value passed node's own `validateHeaderName` and
 * `validateHeaderValue` when it was prepared, so writing it needs none of the per-pair checks `setHeader`
 * repeats on every response.
 */
export interface PreparedHeaders {
  /** [lowercase name, name, value] of every pair, in order; undefined when the list is set by setHeaders. */
  readonly pairs: readonly (readonly [string, string, string])[] | undefined;
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
  let direct = true;
  for (let i = 0; i < list.length; i++) {
    const [name, value] = list[i]!;
    validateHeaderName(name);
    validateHeaderValue(name, value);
    const lower = name.toLowerCase();
    // Vary is merged and Set-Cookie appended (core's setHeaders): such a list keeps that path whole.
    if (lower === 'vary' || lower === 'set-cookie') direct = false;
    pairs.push([lower, name, value]);
  }
  return { pairs: direct ? pairs : undefined, list };
}

/**
 * Set a prepared list on a node response with the effect of core's `setHeaders` (one `setHeader` per
 * pair, in order): the headers are the response's own, so they are sent
 * whatever writes the head (fastify's reply, or a handler writing the raw response after `reply.hijack()`),
 * and `getHeader`/`removeHeader` see them.
 *
 * @example
 * writePrepared(reply.raw, prepared);
 */
export function writePrepared(res: ServerResponse, prepared: PreparedHeaders): void {
  const pairs = prepared.pairs;
  if (TABLE === undefined || pairs === undefined || res.headersSent) {
    // setHeader's own path (after the head is sent it throws, as it always did).
    setHeaders(res, prepared.list);
    return;
  }
  // What node's setHeader would create: a table that inherits nothing. Its prototype is an empty object
  // that itself inherits nothing (no name resolves through it), so the table keeps V8's fast properties
  // while the same names are added in the same order, response after response.
  const table = tableOf(res, TABLE);
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    // A fresh entry per response: node's appendHeader edits the entry it finds in place.
    table[pair[0]] = [pair[1], pair[2]];
  }
}

const EMPTY: object = Object.freeze(Object.create(null));

/** The node header table of `res`, created as node's setHeader would create it. */
function tableOf(res: ServerResponse, key: symbol): HeaderTable {
  const holder = res as unknown as Record<symbol, HeaderTable | null | undefined>;
  let table = holder[key];
  if (table === null || table === undefined) {
    table = Object.create(EMPTY) as HeaderTable;
    holder[key] = table;
  }
  return table;
}

/**
 * Frozen pairs node's validators passed, by identity: their lowercase name, or '' for a Vary or Set-Cookie
 * pair (merged or appended: never written directly). A rule's constant pairs (a CORS grant, a rate limit's
 * policy) are the same frozen objects request after request, and a frozen pair cannot change after it was
 * checked. Weak: a pair no rule holds any more is dropped with it.
 */
const CHECKED = new WeakMap<HeaderPair, string>();

/** {@link CHECKED}'s answer for a frozen pair, validated by node on first sight (throwing as setHeader would). */
function checkedName(pair: HeaderPair): string {
  const known = CHECKED.get(pair);
  if (known !== undefined) return known;
  const name = pair[0];
  validateHeaderName(name);
  validateHeaderValue(name, pair[1]);
  const lower = name.toLowerCase();
  const direct = lower === 'vary' || lower === 'set-cookie' ? '' : lower;
  CHECKED.set(pair, direct);
  return direct;
}

/**
 * Core's `setHeaders` (one `setHeader` per pair, in order; Vary merged and kept, Set-Cookie appended) for a
 * verdict's header list, where the list's frozen pairs, checked by node's validators the first time they
 * are seen, go straight into node's header table like {@link writePrepared}'s. A pair built per request
 * (a RateLimit count) still goes through `setHeader`'s checks.
 *
 * @example
 * writeHeaders(reply.raw, verdict.headers);
 */
export function writeHeaders(res: ServerResponse, list: HeaderList): void {
  if (TABLE === undefined || res.headersSent) {
    setHeaders(res, list);
    return;
  }
  for (let i = 0; i < list.length; i++) {
    const pair = list[i]!;
    const name = pair[0];
    const lower = Object.isFrozen(pair) ? checkedName(pair) : '';
    // A fresh entry per response: node's appendHeader edits the entry it finds in place.
    if (lower !== '') tableOf(res, TABLE)[lower] = [name, pair[1]];
    // What core's setHeaders does with one pair (it tells Vary and Set-Cookie by the exact name).
    else if (name === 'vary' || name === 'set-cookie') setHeaders(res, [pair]);
    else res.setHeader(name, pair[1]);
  }
}

/** Whether headers are written straight into node's table here (false: one setHeader per pair). */
export const DIRECT_HEADER_WRITES: boolean = TABLE !== undefined;

/**
 * Core's `applyAllowed` with the verdict's headers written by {@link writeHeaders}; a verdict that strips
 * request headers (a forwarded certificate from an untrusted peer) goes through core's own.
 *
 * @example
 * if (verdict.ok) applyAllowedDirect(request.raw, reply.raw, verdict);
 */
export function applyAllowedDirect(
  req: IncomingMessage,
  res: ServerResponse,
  verdict: Allowed<unknown>,
): void {
  if (verdict.strip !== undefined) applyAllowed(req, res, verdict);
  else if (verdict.headers.length > 0) writeHeaders(res, verdict.headers);
}
