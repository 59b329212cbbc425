// Runs one benchmark module in its own process and writes its rows as JSON.
// Usage: node --expose-gc bench/lib/child.mjs <module path> <out.json> [--smoke]
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { pathToFileURL } from 'node:url';

const [file, out, ...flags] = process.argv.slice(2);
const smoke = flags.includes('--smoke');
const started = Date.now();
// Recorded with the result: on a shared machine it tells how much to trust the absolute figures.
const loadavg = os
  .loadavg()
  .map((l) => l.toFixed(1))
  .join(' / ');
const mod = await import(pathToFileURL(file).href);
if (typeof mod.run !== 'function') throw new Error(`${file} does not export run({ smoke })`);
const result = await mod.run({ smoke });
const rows = Array.isArray(result) ? result : result.rows;
for (const row of rows) {
  if (typeof row.group !== 'string' || typeof row.name !== 'string' || !Array.isArray(row.samples)) {
    throw new Error(`${file}: every row needs { group, name, samples[] }, got ${JSON.stringify(row)}`);
  }
}
writeFileSync(
  out,
  JSON.stringify(
    {
      title: mod.title ?? file,
      peers: mod.peers ?? [],
      notes: (Array.isArray(result) ? undefined : result.notes) ?? mod.notes ?? [],
      smoke,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      loadavg,
      node: process.version,
      rows,
    },
    null,
    1,
  ),
);
// Servers or timers a module forgot must not keep the child alive.
process.exit(0);
