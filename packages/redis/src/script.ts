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
export function runScript(
  options: ResolvedOptions,
  operation: string,
  script: Script,
  keys: readonly string[],
  args: readonly (string | number)[],
  onLate?: (result: unknown) => void,
): Promise<unknown> {
  const client = options.client as unknown as { evalsha: Evaluator; eval: Evaluator };
  // One promise and one timer per call: this is the rate limiter's hot path.
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(
        new RedisStoreError('REDIS_TIMEOUT', `${operation}: no answer from Redis in ${options.timeoutMs} ms`),
      );
    }, options.timeoutMs);
    const answered = (value: unknown): void => {
      if (done) {
        onLate?.(value);
        return;
      }
      done = true;
      clearTimeout(timer);
      resolve(value);
    };
    const failed = (err: unknown): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
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
