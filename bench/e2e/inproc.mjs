// In-process A/B of the fastify e2e variants: inproc-adapters.mjs with the fastify framework (see there).
// Usage: node --expose-gc bench/e2e/inproc.mjs <rounds> <requests per slice> <case>...
//   case: bare | static-headers | bare-post | bulwark | bulwark-nojwt | bulwark-cached, optionally with a refusal
//   mode (:malformed, :algnone, :limited, :cors, :webhook), e.g. bulwark:malformed bulwark:limited
process.argv.splice(2, 0, 'fastify');
await import('./inproc-adapters.mjs');
