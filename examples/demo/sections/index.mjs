// The tour's sections, in order. Each area adds one line.
import jwt from './jwt.mjs';
import oauth from './oauth.mjs';
import ratelimit from './ratelimit.mjs';
import webhooks from './webhooks.mjs';

export const sections = [jwt, ratelimit, oauth, webhooks];
