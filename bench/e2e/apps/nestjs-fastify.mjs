// NestJS 12 on the fastify platform: the variants of nestjs.mjs (bare, peer with @fastify/helmet, bulwark)
// served through @nestjs/platform-fastify.
import { listenOn } from './nestjs.mjs';

/** Build the app for `variant` on the fastify platform and listen on 127.0.0.1:0; resolves to the port. */
export const listen = (variant, c) => listenOn('fastify', variant, c);
