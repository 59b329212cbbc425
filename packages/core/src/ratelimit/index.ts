// The ratelimit area's public exports. The client-IP resolver lives in http/ because mTLS reuses its trust list.
export { createClientIpResolver } from '../http/client-ip.js';
export type { ClientIpResolver, ClientIpResolverOptions } from '../http/client-ip.js';
export type { ClientIpPlatform } from '../http/platforms.js';
export type { IpWords } from '../http/ip.js';
export { createRateLimiter } from './limiter.js';
export type { RateLimiter, RateLimitInfo } from './limiter.js';
export type { RateLimiterOptions } from './limiter-options.js';
export { defaultRateLimitContext } from './context.js';
export type { RateLimitHookOptions } from './context.js';
export type { BucketKey, RateLimitBucket, RateLimitContext, RateLimitTier } from './buckets.js';
export type { BucketState, ResetFormat } from './rate-limit-fields.js';
export { RATELIMIT_ERRORS } from './errors.js';
export type { Rate, RateSpec } from './rate.js';
export { createMemoryRateLimitStore } from '../stores/memory-ratelimit.js';
export type { MemoryRateLimitStore, MemoryRateLimitStoreOptions } from '../stores/memory-ratelimit.js';
