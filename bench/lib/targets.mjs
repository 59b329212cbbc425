// The targets, checked against the measured rows: met / missed / not measured.
import { CPU, e2eRow, e2eTargets } from './e2e-targets.mjs';
import { fmt, fmtAgainst, fmtX, median, roundRatios, summary } from './stats.mjs';

const FULL = ['headers', 'cors', 'ratelimit', 'jwt'];
const hasAll = (row, parts) => parts.every((p) => (row.note ?? '').split(' + ').includes(p));

/** Per-round ratio a ÷ b summarised as "2.31× (2.10×–2.52×)" (a third digit where two would read as `limit`). */
function ratio(a, b, lower = false, limit = undefined) {
  const s = summary(roundRatios(a.samples, b.samples, lower));
  return { value: s.median, text: `${fmtAgainst(s.median, limit)} (${fmtX(s.min)}–${fmtX(s.max)})` };
}

/**
 * For e2e rows: the req/s ratio and, when measured, the ratio of server CPU per request (b ÷ a), which is
 * what the throughput ratio is on a dedicated core and is robust to other load on a shared machine. The
 * status follows the CPU ratio when there is one.
 */
function e2eRatio(a, b) {
  const rps = ratio(a, b);
  if (!a.extra?.[CPU] || !b.extra?.[CPU]) return { value: rps.value, text: `${rps.text} req/s` };
  const s = summary(roundRatios(a.extra[CPU], b.extra[CPU], true));
  return {
    value: s.median,
    text: `${fmtX(s.median)} (${fmtX(s.min)}–${fmtX(s.max)}) by server CPU per request; ${rps.text} by req/s`,
  };
}

function fullVsPeer(framework, min) {
  return {
    target: `${framework}: full stack ≥ ${min}× the peer stack's req/s`,
    check(results) {
      const a = e2eRow(results, framework, 'bulwark');
      const b = e2eRow(results, framework, 'peer');
      if (!a || !b) return undefined;
      const r = e2eRatio(a, b);
      const partial = hasAll(a, FULL) ? '' : ` — stack was only ${a.note || 'nothing'}`;
      return { measured: `${r.text}${partial}`, met: r.value >= min && !partial };
    },
  };
}

const TARGETS = [
  fullVsPeer('express', 2),
  fullVsPeer('fastify', 2),
  fullVsPeer('nestjs', 1.5),
  {
    target: 'fastify: headers + CORS + rate limit + glue cost ≤ 10% of bare req/s',
    check(results) {
      const a = e2eRow(results, 'fastify', 'bulwark-nojwt');
      const b = e2eRow(results, 'fastify', 'bare');
      if (!a || !b) return undefined;
      const r = e2eRatio(a, b);
      const partial = hasAll(a, FULL.slice(0, 3)) ? '' : ` — only ${a.note || 'nothing'} existed`;
      return { measured: `${r.text} of bare${partial}`, met: r.value >= 0.9 && !partial };
    },
  },
  {
    target: 'fastify: full stack with the verified-token cache ≤ 15% below bare req/s',
    check(results) {
      const a = e2eRow(results, 'fastify', 'bulwark-cached');
      const b = e2eRow(results, 'fastify', 'bare');
      if (!a || !b) return undefined;
      const r = e2eRatio(a, b);
      return { measured: `${r.text} of bare`, met: r.value >= 0.85 };
    },
  },
  {
    target: 'every deny path ≥ 5× cheaper than its allow path',
    check(results) {
      const found = [];
      for (const [name, result] of Object.entries(results)) {
        const groups = new Map();
        for (const row of result.rows) {
          if (!/deny|denied|reject/i.test(row.group)) continue;
          if (!groups.has(row.group)) groups.set(row.group, []);
          groups.get(row.group).push(row);
        }
        for (const [group, rows] of groups) {
          if (rows.length < 2) continue;
          const r = rows[0].extra?.[CPU] ? e2eRatio(rows[0], rows[1]) : ratio(rows[0], rows[1]);
          found.push({ label: `${name}: ${group}`, ...r });
        }
      }
      if (!found.length) return undefined;
      return {
        measured: found.map((f) => `${f.label} ${f.text}`).join('<br>'),
        met: found.every((f) => f.value >= 5),
      };
    },
  },
  {
    target: 'in-memory rate limiter ≥ 2× rate-limiter-flexible (memory) ops/s',
    check(results) {
      const rows = results.ratelimit?.rows ?? [];
      const found = [];
      for (const peer of rows.filter(
        (r) => /rate-limiter-flexible/i.test(r.name) && !/deny|over/i.test(r.group),
      )) {
        const subject = rows.find((r) => r.group === peer.group);
        if (subject && subject !== peer) found.push({ label: peer.group, ...ratio(subject, peer) });
      }
      if (!found.length) return undefined;
      return {
        measured: found.map((f) => `${f.label}: ${f.text}`).join('<br>'),
        met: found.every((f) => f.value >= 2),
      };
    },
  },
  {
    target: 'in-memory rate limiter ≤ half the memory per key of rate-limiter-flexible (1M keys)',
    check(results) {
      const rows = results.memory?.rows ?? [];
      const a = rows.find((r) => r.variant === 'bulwark' && r.metric === 'rss');
      const b = rows.find((r) => r.variant === 'rate-limiter-flexible' && r.metric === 'rss');
      if (!a || !b) return undefined;
      const r = ratio(a, b, true);
      return { measured: `bulwark uses ${r.text} less RSS per key`, met: r.value >= 2 };
    },
  },
];

// Round 2 (issue 18): micro paths at their floor, refusals as cheap as a bare route, a smaller header bill.

/**
 * subject ÷ case in one micro group, per round. A case of the group named `floor: …` (the least the subject's
 * work can cost, e.g. the cache hit's hash) is shown beside it: how far from that floor the subject is.
 */
function microRatio(file, group, caseName, min, label) {
  return {
    target: label,
    check(res) {
      const rows = res[file]?.rows.filter((r) => r.group === group) ?? [];
      const subject = rows[0];
      const other = rows.find((r) => r.name === caseName || r.name.startsWith(caseName));
      if (!subject || !other) return undefined;
      const lower = subject.lowerIsBetter === true;
      const r = ratio(subject, other, lower, min);
      const floor = rows.find((x) => x !== subject && x.name.startsWith('floor: '));
      const atFloor = floor
        ? `; ${ratio(subject, floor, lower).text} of its floor (${floor.name.slice(7)})`
        : '';
      return { measured: `${r.text} (${subject.name} ÷ ${other.name})${atFloor}`, met: r.value >= min };
    },
  };
}

const ROUND2 = [
  ...['RS256', 'ES256', 'EdDSA'].map((alg) =>
    microRatio(
      'jwt',
      `verify ${alg}`,
      'node:crypto floor',
      0.9,
      `JWT verify ${alg} ≥ 0.9× the node:crypto floor`,
    ),
  ),
  microRatio(
    'jwt',
    'verify HS256',
    'node:crypto floor',
    0.6,
    'JWT verify HS256 ≥ 0.6× the node:crypto floor',
  ),
  microRatio(
    'jwt',
    'verify RS256, repeated token (cache on)',
    'fast-jwt (cache on)',
    3,
    "token cache hit ≥ 3× fast-jwt's cache",
  ),
  microRatio(
    'webhooks',
    'webhook verify: GitHub sha256',
    '@octokit/webhooks-methods',
    1,
    'GitHub webhook verify ≥ 1× @octokit/webhooks-methods',
  ),
  microRatio('oauth', 'PKCE pair (S256)', 'oauth4webapi', 1, 'PKCE pair ≥ 1× oauth4webapi'),
  microRatio(
    'oauth',
    'ID Token validation step (RS256: signature + OIDC claim checks)',
    'jose jwtVerify + the same checks',
    1,
    'ID Token validation ≥ 1× jose jwtVerify with the same checks',
  ),
  microRatio(
    'mtls',
    'RFC 8705 certificate binding (cnf.x5t#S256)',
    'node:crypto createHash floor',
    0.8,
    'RFC 8705 binding check ≥ 0.8× node createHash',
  ),
  {
    target: "Redis limiter per call (client CPU + time inside Redis) ≤ rate-limiter-flexible's",
    check(results) {
      const rows = results.redis?.rows ?? [];
      const pick = (kind, name) =>
        rows.find(
          (r) => r.group.includes('cost per call') && r.group.includes(kind) && r.name.startsWith(name),
        );
      const parts = [
        [pick('client CPU', 'bulwark'), pick('inside Redis', 'bulwark')],
        [pick('client CPU', 'rate-limiter-flexible'), pick('inside Redis', 'rate-limiter-flexible')],
      ];
      if (parts.flat().some((r) => r === undefined)) return undefined;
      const total = ([c, s]) => c.samples.map((x, i) => x + s.samples[i]);
      const ours = total(parts[0]);
      const theirs = total(parts[1]);
      const s = summary(roundRatios(ours, theirs, true));
      const med = (xs) => fmt(median(xs));
      return {
        measured:
          `${fmtX(s.median)} (${fmtX(s.min)}–${fmtX(s.max)}) as rate-limiter-flexible ÷ bulwark: ` +
          `${med(ours)} vs ${med(theirs)} µs (client ${med(parts[0][0].samples)} + Redis ${med(parts[0][1].samples)} vs ` +
          `${med(parts[1][0].samples)} + ${med(parts[1][1].samples)})`,
        met: s.median >= 1,
      };
    },
  },
  ...e2eTargets(),
];

function table(title, targets, results) {
  const lines = [
    title,
    '',
    '| target | measured (per-round ratio, median (min–max)) | status |',
    '|---|---|---|',
  ];
  for (const t of targets) {
    const r = t.check(results);
    lines.push(
      `| ${t.target} | ${r?.measured ?? 'not measured in this run'} | ${r ? (r.floor ? 'floor' : r.met ? 'met' : '**missed**') : '—'} |`,
    );
  }
  return lines.join('\n');
}

/**
 * Markdown sections listing every target with its measured value: round 2 on the main results and on each
 * other Node major's, then the round-1 targets.
 */
export function evaluateTargets(results, otherNodes = []) {
  return [
    table('## Targets (performance round 2)', ROUND2, results),
    ...otherNodes.map((o) => table(`### The same targets on Node ${o.node}`, ROUND2, o.results)),
    table('## Targets (round 1)', TARGETS, results),
  ].join('\n\n');
}
