/**
 * The event ids a webhook delivery may carry: 1-256 of `A-Z a-z 0-9 _ - + / =`. That covers what senders
 * use (Standard Webhooks `msg_<base62>`, Stripe `evt_…`, GitHub and Shopify UUIDs, base64 ids) and leaves
 * out `.`, the separator of the signed `id.timestamp.body` layouts: with a dot allowed, one signature would
 * fit several (id, timestamp, body) splits, and a captured delivery could be replayed under another id. The
 * `:` that ends every key prefix is left out too, so `keyPrefix + id` names one (prefix, id) pair only.
 */
export const EVENT_ID = /^[A-Za-z0-9_+/=-]{1,256}$/;

/** How {@link EVENT_ID} is described in errors, events and docs. */
export const EVENT_ID_RULE = '1-256 characters of A-Z a-z 0-9 _ - + / = (no "." or ":")';
