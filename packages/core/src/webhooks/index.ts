// The webhooks area's public exports.
export { WEBHOOK_ERRORS } from './errors.js';
export type { HmacHash } from './signature-backend.js';
export type { SignatureEncoding } from './encoding.js';
export type { WebhookDelivery, WebhookSchemeName } from './delivery.js';
export type { HmacSchemeOptions, WebhookScheme, WebhookVerifierOptions } from './options.js';
export { refuseDeliveryBeforeBody } from './before-body.js';
export type { DeliveryBeforeBodyOptions } from './before-body.js';
export { createWebhookVerifier } from './verifier.js';
export type { WebhookVerifier } from './verifier.js';
export { signWebhook } from './sign.js';
export type { SignWebhookOptions } from './sign.js';
