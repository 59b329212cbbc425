// The ratelimit area's public exports. The client-IP resolver lives in http/ because mTLS reuses its trust list.
export { createClientIpResolver } from '../http/client-ip.js';
export type { ClientIpResolver, ClientIpResolverOptions } from '../http/client-ip.js';
export type { ClientIpPlatform } from '../http/platforms.js';
export { NAMED_RANGES, parseCidr } from '../http/cidr.js';
export type { Cidr } from '../http/cidr.js';
export { formatIp, parseIp } from '../http/ip.js';
export type { IpWords } from '../http/ip.js';
export { createRateLimiter } from './limiter.js';
export type { RateLimiter, RateLimiterOptions, RateLimitInfo } from './limiter.js';
export type { BucketKey, RateLimitBucket, RateLimitContext, RateLimitTier } from './buckets.js';
export type { BucketState, ResetFormat } from './rate-limit-fields.js';
export { RATELIMIT_ERRORS } from './errors.js';
export { parseRate } from './rate.js';
export type { Rate, RateSpec } from './rate.js';
export { gcra } from './gcra.js';
export type { GcraStep } from './gcra.js';
export { createMemoryRateLimitStore } from '../stores/memory-ratelimit.js';
export type { MemoryRateLimitStore, MemoryRateLimitStoreOptions } from '../stores/memory-ratelimit.js';
