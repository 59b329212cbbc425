/**
 * `@bulwark/core/toolkit`: building blocks for code built on bulwark rather than applications: adapters,
 * stores and tools (the bulwark adapters, `@bulwark/redis` and `@bulwark/cli` use it). The option checks
 * every bulwark factory runs (unknown keys refused with a did-you-mean, numbers range-checked), the capped
 * body reader, `Vary` merging and strict base64. Applications import from their adapter instead.
 */
export { checkOptions, numberOption, optionKeys } from '../config/options.js';
export { synchronousCheck } from '../ratelimit/limiter.js';
export type { SynchronousCheck } from '../ratelimit/limiter.js';
export { jwtCheckNow } from '../jwt/verifier.js';
export type { JwtCheckNow } from '../jwt/verifier.js';
export { webhookCheckNow } from '../webhooks/verifier.js';
export type { WebhookCheckNow } from '../webhooks/verifier.js';
export type { NumberRange, NumberRule, OptionKeyList } from '../config/options.js';
export { readBodyCapped } from '../http/body.js';
export { appendVary } from '../http/vary.js';
export {
  decodeBase64,
  decodeBase64Url,
  decodeBase64UrlText,
  encodeBase64,
  encodeBase64Url,
} from '../encoding/base64url.js';
