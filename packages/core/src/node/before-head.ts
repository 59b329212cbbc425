import { ServerResponse } from 'node:http';

/**
 * A step that must see a node response's head just before it is written, given the value it kept on that
 * response and `writeHead`'s own arguments (the headers argument, as node reads it: after a reason phrase, or
 * in its place). It runs only while the head is unsent. Running it twice must change nothing: a response
 * whose `writeHead` was replaced before the first keep (on-headers…) runs it once on the way in and once
 * when the replacement calls on to the prototype's.
 */
export type HeadKeeper = (
  res: ServerResponse,
  kept: string,
  statusCode: unknown,
  reason: unknown,
  headers: unknown,
) => void;

// Registered symbols: another installed copy of core (or of an adapter bundling this module) keeps its
// values in the same slot and finds the hook already in place instead of adding a second one. The slot's
// layout, [keeper, value, keeper, value…], is therefore shared by every copy: the keepers travel with their
// values, so whichever copy's hook runs calls every copy's keepers.
/** The keepers and their values, on the response. */
const KEPT: unique symbol = Symbol.for('bulwark.head.kept');
/** Set on `ServerResponse.prototype` once its writeHead runs kept keepers. */
const HOOKED: unique symbol = Symbol.for('bulwark.head.hooked');

/** [keeper, value, keeper, value…]: one or two pairs in practice (Vary, express's CSP). */
type Kept = Array<HeadKeeper | string>;

interface KeepingResponse extends ServerResponse {
  [KEPT]?: Kept;
}

type WriteHead = (
  this: ServerResponse,
  statusCode: unknown,
  reason?: unknown,
  headers?: unknown,
) => ServerResponse;

const proto = ServerResponse.prototype as ServerResponse & { [HOOKED]?: true };

function runKeepers(
  res: ServerResponse,
  kept: Kept,
  statusCode: unknown,
  reason: unknown,
  headers: unknown,
): void {
  for (let i = 0; i < kept.length; i += 2) {
    (kept[i] as HeadKeeper)(res, kept[i + 1] as string, statusCode, reason, headers);
  }
}

/**
 * One writeHead on `ServerResponse.prototype` for every keeper, put there once per process: every node
 * response (express's too, whose responses inherit from it) runs its keepers without a function assigned per
 * response (which changed each response's hidden class), and a response nothing kept anything on pays one
 * property read. node's implicit header write (`res.end` without `writeHead`) goes through writeHead too.
 */
function hookPrototype(): void {
  if (proto[HOOKED] === true) return;
  const below = proto.writeHead as WriteHead;
  proto.writeHead = function writeHead(
    this: KeepingResponse,
    statusCode: unknown,
    reason?: unknown,
    headers?: unknown,
  ) {
    const kept = this[KEPT];
    if (kept !== undefined && !this.headersSent) runKeepers(this, kept, statusCode, reason, headers);
    return below.call(this, statusCode, reason, headers);
  } as ServerResponse['writeHead'];
  proto[HOOKED] = true;
}

/**
 * Have `keeper` see the response's head, with `value`, just before it is written (replacing the value it
 * kept there before, if any).
 *
 * @example
 * keepForHead(res, mergeVary, 'Origin'); // mergeVary(res, 'Origin', statusCode, reason, headers) before the head
 */
export function keepForHead(res: ServerResponse, keeper: HeadKeeper, value: string): void {
  const keeping = res as KeepingResponse;
  const kept = keeping[KEPT];
  if (kept !== undefined) {
    for (let i = 0; i < kept.length; i += 2) {
      if (kept[i] === keeper) {
        kept[i + 1] = value;
        return;
      }
    }
    kept.push(keeper, value);
    return;
  }
  keeping[KEPT] = [keeper, value];
  hookPrototype();
  // A writeHead replaced on the response or below the prototype (on-headers, a subclass, an HTTP/2
  // compatibility response) may call a writeHead it took before the hook was there: it is wrapped in turn,
  // once per response whatever the number of keepers.
  const current = res.writeHead;
  if (current === proto.writeHead) return;
  res.writeHead = function writeHeadKeepingOver(this: KeepingResponse, ...args: unknown[]) {
    const now = this[KEPT];
    if (now !== undefined && !this.headersSent) runKeepers(this, now, args[0], args[1], args[2]);
    return (current as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
}

/**
 * The value `keeper` kept on the response, if any.
 *
 * @example
 * const fields = keptForHead(res, mergeVary); // 'Origin', or undefined
 */
export function keptForHead(res: ServerResponse, keeper: HeadKeeper): string | undefined {
  const kept = (res as KeepingResponse)[KEPT];
  if (kept === undefined) return undefined;
  for (let i = 0; i < kept.length; i += 2) if (kept[i] === keeper) return kept[i + 1] as string;
  return undefined;
}
