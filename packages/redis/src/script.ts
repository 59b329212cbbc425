import { createHash } from 'node:crypto';
import { RedisStoreError } from './errors.js';
import type { ResolvedOptions } from './options.js';

/** A Lua script and its SHA1, run by EVALSHA with a transparent EVAL when the server lost its script cache. */
export interface Script {
  readonly lua: string;
  readonly sha: string;
}

/**
 * Compile-time constant scripts only: the SHA is computed once.
 *
 * @example
 * const PING = defineScript("return redis.call('PING')");
 */
export function defineScript(lua: string): Script {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

type Evaluator = (script: string, numKeys: number, ...args: (string | number)[]) => Promise<unknown>;

/**
 * Run `script` in one round trip (two only after a SCRIPT FLUSH, restart or failover emptied the script
 * cache), bounded by the store's timeout. We do this rather than ioredis `defineCommand` so the user's client
 * is not modified. `onLate` sees the result of a call that answered after we gave up on it.
 *
 * @example
 * const reply = await runScript(options, 'replay.claim', CLAIM, [key], [ttlMs]);
 */
export function runScript<T = unknown>(
  options: ResolvedOptions,
  operation: string,
  script: Script,
  keys: readonly string[],
  args: readonly (string | number)[],
  onLate?: (result: unknown) => void,
  decode?: (reply: unknown) => T,
): Promise<T> {
  const client = options.client as unknown as { evalsha: Evaluator; eval: Evaluator };
  const deadlines = deadlinesOf(options);
  // One promise per call and no timer of its own: this is the rate limiter's hot path. `decode` runs inside
  // it (a `.then` on the result would cost another promise per call); what it throws rejects the call as is.
  return new Promise<T>((resolve, reject) => {
    const call: Waiting = {
      deadline: performance.now() + options.timeoutMs,
      settled: false,
      operation,
      reject,
    };
    deadlines.add(call);
    const answered = (value: unknown): void => {
      if (call.settled) {
        onLate?.(value);
        return;
      }
      deadlines.settle(call);
      if (decode === undefined) {
        resolve(value as T);
        return;
      }
      try {
        resolve(decode(value));
      } catch (err) {
        reject(err);
      }
    };
    const failed = (err: unknown): void => {
      if (call.settled) return;
      deadlines.settle(call);
      reject(unavailable(operation, err));
    };
    client.evalsha(script.sha, keys.length, ...keys, ...args).then(answered, (err: unknown) => {
      if (err instanceof Error && err.message.startsWith('NOSCRIPT')) {
        client.eval(script.lua, keys.length, ...keys, ...args).then(answered, failed);
      } else {
        failed(err);
      }
    });
  });
}

/** A script call waiting for its answer. */
interface Waiting {
  readonly deadline: number;
  settled: boolean;
  readonly operation: string;
  readonly reject: (err: unknown) => void;
}

/**
 * The pending script calls of one store, in send order. They share one timeout, so their deadlines are in
 * that order too: one timer, armed for the oldest unanswered call, replaces a timer per call (a `setTimeout`
 * and `clearTimeout` cost about 0.5 µs, a tenth of the client's work per rate-limit call). Redis answers a
 * connection in order, so the answered calls leave from the front.
 */
class Deadlines {
  private queue: Waiting[] = [];
  private head = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly timeoutMs: number) {}

  add(call: Waiting): void {
    this.queue.push(call);
    if (this.timer === undefined) this.arm(this.timeoutMs);
  }

  settle(call: Waiting): void {
    call.settled = true;
    this.drop();
  }

  /** Forget the settled calls at the front; stop the timer when none is left. */
  private drop(): void {
    const queue = this.queue;
    while (this.head < queue.length && queue[this.head]!.settled) this.head++;
    if (this.head === queue.length) {
      queue.length = 0;
      this.head = 0;
      if (this.timer !== undefined) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
    } else if (this.head >= 1024 && this.head * 2 >= queue.length) {
      this.queue = queue.slice(this.head);
      this.head = 0;
    }
  }

  private arm(ms: number): void {
    this.timer = setTimeout(this.expire, Math.max(1, Math.ceil(ms)));
  }

  private readonly expire = (): void => {
    this.timer = undefined;
    const now = performance.now();
    const queue = this.queue;
    while (this.head < queue.length) {
      const call = queue[this.head]!;
      if (!call.settled) {
        if (call.deadline > now) break;
        call.settled = true;
        call.reject(
          new RedisStoreError(
            'REDIS_TIMEOUT',
            `${call.operation}: no answer from Redis in ${this.timeoutMs} ms`,
          ),
        );
      }
      this.head++;
    }
    this.drop();
    if (this.head < this.queue.length && this.timer === undefined) {
      this.arm(this.queue[this.head]!.deadline - now);
    }
  };
}

const DEADLINES = new WeakMap<ResolvedOptions, Deadlines>();

function deadlinesOf(options: ResolvedOptions): Deadlines {
  let deadlines = DEADLINES.get(options);
  if (deadlines === undefined) {
    deadlines = new Deadlines(options.timeoutMs);
    DEADLINES.set(options, deadlines);
  }
  return deadlines;
}

function unavailable(operation: string, err: unknown): RedisStoreError {
  const reason = err instanceof Error ? err.message : String(err);
  return new RedisStoreError('REDIS_UNAVAILABLE', `${operation} failed: ${reason}`, err);
}

/**
 * Bound any client call by the store's timeout and turn its failures into {@link RedisStoreError}.
 *
 * @example
 * await bounded(options, 'replay.release', client.del(key));
 */
export function bounded<T>(
  options: ResolvedOptions,
  operation: string,
  call: Promise<T>,
  onLate?: (result: T) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(
        new RedisStoreError('REDIS_TIMEOUT', `${operation}: no answer from Redis in ${options.timeoutMs} ms`),
      );
    }, options.timeoutMs);
    call.then(
      (value) => {
        if (done) {
          onLate?.(value);
          return;
        }
        done = true;
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        reject(unavailable(operation, err));
      },
    );
  });
}

/**
 * A reply that does not have the shape our script returns (a foreign script cached under our SHA, a proxy bug).
 *
 * @example
 * if (!Array.isArray(reply)) throw invalidReply('ratelimit.consume');
 */
export function invalidReply(operation: string): RedisStoreError {
  return new RedisStoreError('REDIS_REPLY_INVALID', `${operation}: unexpected reply from Redis`);
}
