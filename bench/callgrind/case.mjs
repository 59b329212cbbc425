// One case of bench/e2e/inproc-adapters.mjs, prepared for callgrind: the tool warms the case (WARMUP
// requests), then collects garbage before its timed slice; that first collection here also prints "READY"
// and blocks 4 s, in which ir.sh switches instrumentation on, so only the slice's n requests are counted.
// Use through ir.sh.
// Usage: node --expose-gc case.mjs <framework> <case> <n>   (framework and case as inproc-adapters.mjs takes
//   them, e.g. fetch bulwark:malformed, fetch bare-deny, fetch bulwark:malformed@/abs/other-build)
const [framework, name, count] = process.argv.slice(2);
const collect = globalThis.gc;
let first = true;
globalThis.gc = () => {
  collect?.();
  if (!first) return;
  first = false;
  console.log('READY');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 4000);
};
process.argv = [process.argv[0], 'inproc-adapters.mjs', framework, '1', count, name];
await import('../e2e/inproc-adapters.mjs');
