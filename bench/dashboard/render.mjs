#!/usr/bin/env node
// Renders docs/observability/dashboard.png: the panels of docs/observability/grafana-dashboard.json drawn
// from real data. It starts the express example with the OpenTelemetry metrics SDK preloaded
// (otel-dump.mjs), runs the attack tour's sections against it (genuine traffic and every attack), stops
// it, and draws what bulwark recorded, panel by panel, in chromium. There is no Prometheus or Grafana on
// this machine: the totals of the run stand in for the dashboard's rates, and the p95 comes from the same
// histogram buckets Grafana's histogram_quantile reads.
//   node bench/dashboard/render.mjs            (after pnpm build; chromium at /usr/bin/chromium)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startIdp } from '../../examples/demo/idp.mjs';
import { freePort } from '../../examples/demo/lib.mjs';
import { sections } from '../../examples/demo/sections/index.mjs';
import { DEMO_WEBHOOK_SECRET } from '../../examples/demo/sections/webhooks.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const metricsFile = join(mkdtempSync(join(tmpdir(), 'bulwark-dashboard-')), 'metrics.json');

const idp = await startIdp();
const child = spawn(
  process.execPath,
  ['--import', './bench/dashboard/otel-dump.mjs', 'examples/express-api/src/server.mjs'],
  {
    cwd: root,
    env: {
      ...process.env,
      PORT: await freePort(),
      HOST: '127.0.0.1',
      WEBHOOK_SECRET: DEMO_WEBHOOK_SECRET,
      ISSUER: idp.issuer,
      AUDIENCE: idp.audience,
      JWKS_URI: idp.jwksUri,
      DASHBOARD_METRICS: metricsFile,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const base = await new Promise((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
    const match = /listening on (http:\/\/\S+)/.exec(out);
    if (match) resolve(match[1]);
  });
  child.once('exit', (code) => reject(new Error(`the example exited with ${code}`)));
});
let rows = 0;
for (const section of sections.filter((s) => !/audit/i.test(s.title))) {
  rows += (await section.run({ base, idp, adapter: 'express' })).length;
}
const exited = new Promise((resolve) => child.once('exit', resolve));
child.kill('SIGTERM');
await exited;
await idp.close();
const points = JSON.parse(readFileSync(metricsFile, 'utf8'));

// The panels, from the recorded data points.
const decisions = points.filter((p) => p.name === 'bulwark.decisions');
const sum = (list) => list.reduce((n, p) => n + p.value, 0);
const by = (list, key) => {
  const out = new Map();
  for (const p of list) {
    const k = typeof key === 'function' ? key(p) : String(p.attributes[key] ?? '');
    out.set(k, (out.get(k) ?? 0) + (typeof p.value === 'number' ? p.value : p.value.count));
  }
  return [...out].sort((a, b) => b[1] - a[1]);
};
/** p95 of merged histogram points, interpolated inside the bucket as histogram_quantile does. */
function p95(list) {
  const { boundaries } = list[0].value.buckets;
  const counts = boundaries.map(() => 0).concat(0);
  for (const p of list) {
    p.value.buckets.counts.forEach((c, i) => {
      counts[i] += c;
    });
  }
  const total = counts.reduce((a, b) => a + b, 0);
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    if (seen + counts[i] >= 0.95 * total) {
      const lo = i === 0 ? 0 : boundaries[i - 1];
      const hi = boundaries[i] ?? boundaries.at(-1);
      return lo + (hi - lo) * ((0.95 * total - seen) / (counts[i] || 1));
    }
    seen += counts[i];
  }
  return boundaries.at(-1);
}
const quantiles = (name, key) => {
  const groups = new Map();
  for (const p of points.filter((x) => x.name === name)) {
    const k = String(p.attributes[key]);
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  return [...groups].map(([k, list]) => [k, p95(list)]).sort((a, b) => b[1] - a[1]);
};
const ms = (s) => `${(s * 1000).toFixed(s < 0.001 ? 3 : 1)} ms`;
const bars = (entries, format = String) => {
  const max = Math.max(...entries.map(([, v]) => v), 1e-9);
  return entries
    .map(
      ([label, v]) =>
        `<div class="bar"><span class="label">${label}</span><span class="track"><span class="fill" style="width:${(100 * v) / max}%"></span></span><span class="value">${format(v)}</span></div>`,
    )
    .join('');
};
const stat = (title, value, alert) =>
  `<div class="stat ${alert && value > 0 ? 'red' : 'green'}"><div class="title">${title}</div><div class="big">${value}</div></div>`;
const jwksErrors = points.filter(
  (p) =>
    p.name === 'bulwark.operation.duration' &&
    p.attributes['bulwark.operation'] === 'jwt.jwks.fetch' &&
    p.attributes['error.type'],
);
const html = `<!doctype html><meta charset="utf-8"><style>
body{background:#111217;color:#ccccdc;font:13px system-ui,sans-serif;margin:16px;width:1200px}
h1{font-size:18px;margin:0 0 4px} .sub{color:#8e8e9e;margin-bottom:12px}
.grid{display:grid;grid-template-columns:repeat(4,1fr);gap:8px}
.panel{background:#181b1f;border:1px solid #2c3235;border-radius:4px;padding:10px;grid-column:span 2}
.panel h2{font-size:13px;margin:0 0 8px;font-weight:500}
.stat{border-radius:4px;padding:10px} .stat .big{font-size:32px;font-weight:600} .green{background:#1a7f4b} .red{background:#c4162a}
.bar{display:flex;align-items:center;gap:8px;margin:3px 0} .label{width:280px;overflow:hidden;white-space:nowrap}
.track{flex:1;background:#22252b;height:14px} .fill{display:block;height:14px;background:#5794f2} .value{width:80px;text-align:right}
</style>
<h1>bulwark: security decisions</h1>
<div class="sub">docs/observability/grafana-dashboard.json, drawn from the metrics the express example recorded during the attack tour (${rows} tour rows; totals of the run instead of rates)</div>
<div class="grid">
${stat('Decisions', sum(decisions))}
${stat('Denied', sum(decisions.filter((p) => p.attributes['bulwark.outcome'] === 'denied')))}
${stat('Failing open (degraded)', sum(decisions.filter((p) => p.attributes['bulwark.outcome'] === 'degraded')), true)}
${stat(
  'JWKS fetch errors',
  jwksErrors.reduce((n, p) => n + p.value.count, 0),
  true,
)}
<div class="panel"><h2>Decisions by rule and outcome</h2>${bars(by(decisions, (p) => `${p.attributes['bulwark.rule']} ${p.attributes['bulwark.outcome']}`))}</div>
<div class="panel"><h2>Denials by code</h2>${bars(
  by(
    decisions.filter((p) => p.attributes['bulwark.outcome'] === 'denied'),
    'bulwark.code',
  ),
)}</div>
<div class="panel"><h2>Rule duration p95</h2>${bars(quantiles('bulwark.rule.duration', 'bulwark.rule'), ms)}</div>
<div class="panel"><h2>Store and key-source calls p95</h2>${bars(quantiles('bulwark.operation.duration', 'bulwark.operation'), ms)}</div>
</div>`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1232, height: 400 } });
  await page.setContent(html);
  await page.screenshot({ path: join(root, 'docs/observability/dashboard.png'), fullPage: true });
} finally {
  await browser.close();
}
console.log(
  `wrote docs/observability/dashboard.png (${decisions.length} decision series, ${rows} tour rows)`,
);
