import { BoundedMap } from './bounded-map.js';
import { type MemoryStoreOptions, StoreFullError } from './memory.js';
import type { RefreshTokenStore, RotateResult } from './types.js';

interface Family {
  readonly subject: string;
  readonly expiresAt: number;
  revoked: boolean;
  current: string[];
  lastRetired: string | undefined;
  lastRetiredAt: number;
}

const MAX_CURRENT = 8;

/**
 * In-process refresh-token family store for one instance (use `@bulwark/redis` across instances).
 * Every operation runs synchronously between two awaits, so it is atomic: of N concurrent rotations of one
 * token exactly one sees it current. Bounded: a full store refuses new families (fail closed) rather than
 * forget a live one, since forgetting a retired hash would let its reuse go unnoticed.
 *
 * @example
 * const rotator = createRefreshTokenRotator({ store: createMemoryRefreshTokenStore() });
 */
export function createMemoryRefreshTokenStore(options: MemoryStoreOptions = {}): RefreshTokenStore {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 100_000;
  const families = new BoundedMap<string, Family>(maxEntries, now, false);
  // Token hash -> family id; several hashes per family, so it gets a larger bound.
  const tokens = new BoundedMap<string, string>(maxEntries * 4, now, false);

  function familyOf(hash: string): [string, Family] | undefined {
    const familyId = tokens.get(hash);
    if (familyId === undefined) return undefined;
    const family = families.get(familyId);
    return family === undefined ? undefined : [familyId, family];
  }

  function addToken(hash: string, familyId: string, family: Family): void {
    if (!tokens.set(hash, familyId, family.expiresAt)) throw new StoreFullError('refresh-token');
  }

  return {
    async create(familyId, subject, tokenHash, ttlMs) {
      const expiresAt = now() + ttlMs;
      const family: Family = {
        subject,
        expiresAt,
        revoked: false,
        current: [tokenHash],
        lastRetired: undefined,
        lastRetiredAt: 0,
      };
      if (!families.set(familyId, family, expiresAt)) throw new StoreFullError('refresh-token');
      addToken(tokenHash, familyId, family);
    },
    async rotate(presentedHash, nextHash, graceMs): Promise<RotateResult> {
      const found = familyOf(presentedHash);
      if (found === undefined) return { status: 'unknown' };
      const [familyId, family] = found;
      const { subject } = family;
      if (family.revoked) return { status: 'revoked', familyId };
      const t = now();
      if (family.current.includes(presentedHash)) {
        addToken(nextHash, familyId, family);
        family.current = [nextHash];
        family.lastRetired = presentedHash;
        family.lastRetiredAt = t;
        return { status: 'rotated', familyId, subject };
      }
      if (
        graceMs > 0 &&
        presentedHash === family.lastRetired &&
        t - family.lastRetiredAt <= graceMs &&
        family.current.length < MAX_CURRENT
      ) {
        addToken(nextHash, familyId, family);
        family.current.push(nextHash);
        return { status: 'grace', familyId, subject };
      }
      family.revoked = true;
      return { status: 'reused', familyId, subject };
    },
    async findFamily(tokenHash) {
      return familyOf(tokenHash)?.[0];
    },
    async revokeFamily(familyId) {
      const family = families.get(familyId);
      if (family !== undefined) family.revoked = true;
    },
  };
}
