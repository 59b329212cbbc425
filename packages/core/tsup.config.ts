import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'node/index': 'src/node/index.ts',
    // The JWT signature back ends, chosen at runtime by the `#jwt-crypto` import condition (node vs default).
    'jwt/crypto-node': 'src/jwt/crypto-node.ts',
    'jwt/crypto-web': 'src/jwt/crypto-web.ts',
    // The webhook HMAC back ends, chosen the same way by `#webhook-hmac`.
    'webhooks/hmac-node': 'src/webhooks/hmac-node.ts',
    'webhooks/hmac-web': 'src/webhooks/hmac-web.ts',
  },
  external: ['#jwt-crypto', '#webhook-hmac'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  splitting: true,
});
