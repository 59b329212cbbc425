import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Options of the {@link bulwark} plugin; each area adds its app-wide rule here. */
export type BulwarkPluginOptions = {};

async function plugin(app: FastifyInstance, _options: BulwarkPluginOptions): Promise<void> {
  // Declaring the property up front keeps fastify's request objects one shape (faster than adding it later).
  if (!app.hasRequestDecorator('auth')) app.decorateRequest('auth', undefined);
}

/**
 * The bulwark fastify plugin: registers app-wide rules and request decorations.
 *
 * @example
 * await app.register(bulwark, {});
 */
export const bulwark = fp(plugin, { fastify: '5.x', name: '@bulwark/fastify' });
