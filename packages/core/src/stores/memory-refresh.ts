import { BoundedMap } from './bounded-map.js';
import { type MemoryStoreOptions, memoryStoreOptions, StoreFullError } from './memory.js';
import type { RefreshTokenStore, RotateResult } from './types.js';

/** One family: a fixed-size record, whatever the number of rotations. */
interface Family {
  readonly subject: string;
  readonly clientId: string;
  readonly expiresAt: number;
  revoked: boolean;
  generation: number;
  current: string;
  /** The token rotated last, when, and its successor sealed for a retry. */
  previous: string | undefined;
  previousAt: number;
  sealedNext: string;
}

/**
 * In-process refresh-token family store for one instance (use `@bulwark/redis` across instances).
 * Every operation runs synchronously between two awaits, so it is atomic: of N concurrent rotations of one
 * token exactly one sees it current. One entry per family (rotation adds none), bounded by `maxEntries`
 * families: a full store refuses new families (fail closed) rather than forget a live one, since forgetting
 * a family would turn a reuse into an unknown token.
 *
 * @example
 * const rotator = createRefreshTokenRotator({ store: createMemoryRefreshTokenStore() });
 */
export function createMemoryRefreshTokenStore(options: MemoryStoreOptions = {}): RefreshTokenStore {
  const { maxEntries, now } = memoryStoreOptions('stores.refresh', options);
  const families = new BoundedMap<string, Family>(maxEntries, now, false);

  return {
    async create({ familyId, subject, clientId, tokenHash, ttlMs }) {
      const expiresAt = now() + ttlMs;
      const family: Family = {
        subject,
        clientId,
        expiresAt,
        revoked: false,
        generation: 0,
        current: tokenHash,
        previous: undefined,
        previousAt: 0,
        sealedNext: '',
      };
      if (!families.set(familyId, family, expiresAt)) throw new StoreFullError('refresh-token');
    },
    async rotate(request): Promise<RotateResult> {
      const { familyId } = request;
      const family = families.get(familyId);
      if (family === undefined) return { status: 'unknown' };
      if (family.revoked) return { status: 'revoked', familyId };
      const { subject, clientId } = family;
      if (request.clientId !== clientId) {
        family.revoked = true;
        return { status: 'client_mismatch', familyId, subject, clientId };
      }
      const t = now();
      if (request.presentedHash === family.current) {
        family.previous = family.current;
        family.previousAt = t;
        family.sealedNext = request.sealedNext;
        family.current = request.nextHash;
        family.generation += 1;
        return { status: 'rotated', familyId, subject, clientId, generation: family.generation };
      }
      // `previous` is only ever the token whose successor is `current`: once the successor is used it moves
      // here, so a retry is recognised only while the successor it would get back is still unused.
      if (
        request.graceMs > 0 &&
        request.presentedHash === family.previous &&
        t - family.previousAt <= request.graceMs
      ) {
        return {
          status: 'repeated',
          familyId,
          subject,
          clientId,
          generation: family.generation,
          sealedNext: family.sealedNext,
          nextHash: family.current,
        };
      }
      family.revoked = true;
      return { status: 'reused', familyId, subject, clientId, generation: family.generation };
    },
    async revokeFamily(familyId) {
      const family = families.get(familyId);
      if (family === undefined) return false;
      family.revoked = true;
      return true;
    },
  };
}
