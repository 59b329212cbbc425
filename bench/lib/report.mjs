// Renders docs/benchmarks.md from the JSON results of each benchmark.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fmt, fmtRange, fmtX, median, roundRatios, summary } from './stats.mjs';

/** Peers always listed, whether or not a benchmark names them. */
const BASE_PEERS = [
  'jose',
  'fast-jwt',
  'jsonwebtoken',
  'helmet',
  'cors',
  'express-rate-limit',
  'rate-limiter-flexible',
  'express-jwt',
  'express',
  'fastify',
  '@fastify/helmet',
  '@fastify/cors',
  '@fastify/rate-limit',
  '@fastify/jwt',
  '@nestjs/core',
  '@nestjs/platform-express',
  '@nestjs/platform-fastify',
  '@nestjs/throttler',
  '@nestjs/passport',
  'passport-jwt',
  'standardwebhooks',
  'stripe',
  '@octokit/webhooks-methods',
  'ioredis',
  'autocannon',
];

/** Version of an installed package, read from its own package.json (not from the lockfile). */
export function installedVersion(root, name) {
  for (const base of [join(root, 'node_modules'), join(root, 'bench', 'node_modules')]) {
    const file = join(base, name, 'package.json');
    if (existsSync(file)) return JSON.parse(readFileSync(realpathSync(file), 'utf8')).version;
  }
  return 'not installed';
}

/** Machine facts for the report header. */
export function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    cpu: `${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
  };
}

function groupRows(rows) {
  const groups = new Map();
  for (const row of rows) {
    if (!groups.has(row.group)) groups.set(row.group, []);
    groups.get(row.group).push(row);
  }
  return groups;
}

function renderGroup(group, rows) {
  const unit = rows[0].unit ?? 'ops/s';
  const lower = rows[0].lowerIsBetter === true;
  const extraKeys = [...new Set(rows.flatMap((r) => Object.keys(r.extra ?? {})))];
  const subject = rows[0];
  const head = ['case', `${unit} median (min–max)`, ...extraKeys.map((k) => `${k} median`)];
  // Extra columns that are a cost per operation (e.g. "server CPU µs/req") also get a per-round ratio.
  const costKeys = extraKeys.filter((k) => k.endsWith('/req') && subject.extra?.[k]);
  if (rows.length > 1) head.push(`${subject.name} vs case, per round: median (min–max)`);
  if (rows.length > 1) for (const k of costKeys) head.push(`same, by ${k}`);
  const clock =
    rows[0].clock === 'cpu'
      ? ' (timed on process CPU time)'
      : rows[0].clock === 'wall'
        ? ' (timed on wall-clock time)'
        : '';
  const lines = [
    `**${group}**${clock}`,
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
  ];
  for (const row of rows) {
    const cells = [row.name + (row.note ? ` (${row.note})` : ''), fmtRange(row.samples)];
    for (const k of extraKeys) cells.push(row.extra?.[k] ? fmt(median(row.extra[k])) : '');
    if (rows.length > 1) {
      if (row === subject) cells.push('subject');
      else {
        const r = summary(roundRatios(subject.samples, row.samples, lower));
        cells.push(`${fmtX(r.median)} (${fmtX(r.min)}–${fmtX(r.max)})`);
      }
      for (const k of costKeys) {
        if (row === subject) cells.push('subject');
        else if (!row.extra?.[k]) cells.push('');
        else {
          const r = summary(roundRatios(subject.extra[k], row.extra[k], true));
          cells.push(`${fmtX(r.median)} (${fmtX(r.min)}–${fmtX(r.max)})`);
        }
      }
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

const CPU = 'server CPU µs/req';
/**
 * The e2e floors the bulwark variants and deny cases are divided by, in this order. `bare-deny` (the bare app
 * answering bulwark's 401 as constants) and `bare-error` (the same through the framework's error pipeline) are
 * floors of the refusals only, `bare-post` (a bare POST route reading the same body) of the webhook refusal only:
 * every other case is a GET.
 */
const FLOORS = ['bare', 'static-headers', 'bare-deny', 'bare-error', 'bare-post'];

/**
 * Whether the table shows `row` ÷ `floor`: bare-deny and bare-error for the refusals, bare-post for the webhook
 * refusal; of the floors, bare-deny and bare-error ÷ bare and ÷ static-headers, bare-error ÷ bare-deny (what the
 * error pipeline adds), bare-post ÷ bare.
 */
function floorApplies(floor, row) {
  if (floor === 'bare-post') return row === 'deny-webhook';
  if (floor === 'bare-deny') return row.startsWith('deny') || row === 'bare-error';
  if (floor === 'bare-error') return row.startsWith('deny');
  return row !== 'bare-post' || floor === 'bare';
}

/** "2.31× (2.10×–2.52×)" of per-round ratios; '' when either side was not measured. */
function xRange(floor, other, lowerIsBetter) {
  if (!floor?.length || !other?.length) return '';
  const r = summary(roundRatios(floor, other, lowerIsBetter));
  return `${fmtX(r.median)} (${fmtX(r.min)}–${fmtX(r.max)})`;
}

/**
 * End-to-end rows (those naming a framework and a variant): per framework, each bulwark variant and each deny
 * case in units of the floors, `bare` and `static-headers` (the bare route plus the same response headers as
 * constants), each refusal also in units of `bare-deny` (the bare app answering bulwark's 401 as constants) and
 * `bare-error` (the same through the framework's error pipeline), and
 * the webhook refusal in units of `bare-post` (a bare POST route reading the same body),
 * per round: server CPU per request ÷ the floor's, and the floor's req/s ÷ the case's.
 */
function renderFloors(rows) {
  const out = [];
  const frameworks = [...new Set(rows.filter((r) => r.framework && r.variant).map((r) => r.framework))];
  for (const framework of frameworks) {
    const first = new Map();
    for (const r of rows) {
      if (r.framework === framework && !first.has(r.variant)) first.set(r.variant, r);
    }
    const floors = FLOORS.map((v) => first.get(v)).filter(Boolean);
    if (!floors.length) continue;
    const subjects = [...first.values()].filter(
      (r) =>
        r.variant.startsWith('bulwark') || r.variant.startsWith('deny') || r.variant === 'static-headers',
    );
    if (!subjects.some((r) => !FLOORS.includes(r.variant))) continue;
    const head = [
      'case',
      `${CPU} median`,
      ...floors.map((f) => `CPU ÷ ${f.variant}`),
      ...floors.map((f) => `req/s: ${f.variant} ÷ case`),
    ];
    const lines = [
      `**${first.get(floors[0].variant).group}: cost over the floors** (per round, median (min–max); > 1× costs more than the floor)`,
      '',
      `| ${head.join(' | ')} |`,
      `|${head.map(() => '---').join('|')}|`,
    ];
    for (const r of [...floors, ...subjects.filter((x) => !FLOORS.includes(x.variant))]) {
      const cells = [r.name, r.extra?.[CPU] ? fmt(median(r.extra[CPU])) : ''];
      const shown = (f) => floorApplies(f.variant, r.variant);
      for (const f of floors)
        cells.push(f === r ? 'floor' : shown(f) ? xRange(f.extra?.[CPU], r.extra?.[CPU], true) : '');
      for (const f of floors)
        cells.push(f === r ? 'floor' : shown(f) ? xRange(f.samples, r.samples, false) : '');
      lines.push(`| ${cells.join(' | ')} |`);
    }
    out.push(lines.join('\n'), '');
  }
  return out;
}

/** One section per benchmark file. */
function renderResult(name, result, heading = '##') {
  const out = [
    `${heading} ${result.title}${heading === '##' ? '' : ` (${result.node ?? 'node'})`}`,
    '',
    `\`bench/${name}.mjs\`, started ${result.startedAt}, took ${(result.durationMs / 1000).toFixed(0)} s` +
      `${result.loadavg ? `, load average ${result.loadavg} at the start` : ''}` +
      `${result.smoke ? ' (**smoke run: figures are not meaningful**)' : ''}.`,
    '',
  ];
  for (const [group, rows] of groupRows(result.rows)) out.push(renderGroup(group, rows), '');
  out.push(...renderFloors(result.rows));
  const notes = Array.isArray(result.notes) ? result.notes : [result.notes];
  for (const note of notes.filter(Boolean)) out.push(`- ${note}`);
  if (notes.length) out.push('');
  return out.join('\n');
}

/**
 * The whole report.
 * @param {{ root: string, results: Record<string, any>, targets: string, commentary: string, run: any }} input
 */
export function renderReport({ root, results, targets, commentary, run, otherNodes = [] }) {
  const m = machine();
  const peerNames = [...new Set([...BASE_PEERS, ...Object.values(results).flatMap((r) => r.peers ?? [])])];
  const ours = ['@bulwark/core', '@bulwark/express', '@bulwark/fastify', '@bulwark/nestjs', '@bulwark/fetch'];
  const out = [
    '# Benchmarks',
    '',
    '<!-- Generated by `pnpm bench` (bench/run.mjs). Do not edit: commentary lives in bench/notes.md. -->',
    '',
    `- Generated: ${run.date}${run.smoke ? ' — **smoke run, figures not meaningful**' : ''}`,
    `- Node ${m.node}; CPU ${m.cpu}; ${m.memory}; ${m.os}`,
    run.reportOnly
      ? '- Rewritten from the stored results of each benchmark (`pnpm bench --report-only`); each section gives its own run time and load'
      : `- Load average when the run started: ${run.loadavg} (the machine is shared; every comparison is` +
        ' therefore a per-round ratio of A/B-alternated slices of the same run, which cancels most of the drift)',
    `- Command: \`${run.command}\``,
    '',
    'How to read: every group lists its cases with the median and the min–max over the rounds. The last column',
    'is the first case (the subject, normally bulwark) compared with each case, computed per round then',
    'summarised: > 1× means the subject is faster (or, for memory, smaller).',
    '',
  ];
  if (commentary) out.push(commentary.trim(), '');
  if (targets) out.push(targets.trim(), '');
  for (const name of Object.keys(results).sort()) out.push(renderResult(name, results[name]));
  for (const other of otherNodes) {
    const nodes = [...new Set(Object.values(other.results).map((r) => r.node))].join(', ');
    out.push(
      `## The same benchmarks on Node ${other.node}`,
      '',
      `Run with npm's \`node@${other.node}\` package (${nodes}): \`${other.node === '24' ? '.tools/node24/node_modules/.bin/node' : `node${other.node}`} bench/run.mjs <names> --no-build\`` +
        ` (\`scripts/node-matrix.mjs\` installs it). Results in \`bench/results/node${other.node}/\`.`,
      '',
    );
    for (const name of Object.keys(other.results).sort())
      out.push(renderResult(name, other.results[name], '###'));
  }
  out.push(
    '## Versions',
    '',
    '| package | version |',
    '|---|---|',
    ...ours.map((p) => `| ${p} | ${installedVersion(root, p)} (workspace) |`),
    ...peerNames.map((p) => `| ${p} | ${installedVersion(root, p)} |`),
    '',
  );
  return out.join('\n');
}
