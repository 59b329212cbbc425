// The round-2 targets of the e2e benchmark: each adapter's refusals over a bare route (≤ 1.3×), beside the floors
// they are also shown over, and fastify's stack over a bare route. targets.mjs tables them with the others.
import { fmtAgainst, fmtX, roundRatios, summary } from './stats.mjs';

export const CPU = 'server CPU µs/req';

/** The e2e row of `variant` in `framework`, if the run measured it. */
export function e2eRow(results, framework, variant) {
  return results.e2e?.rows.find((r) => r.framework === framework && r.variant === variant);
}

/**
 * Per-round CPU per request of `row` in units of `floor`'s, as "1.31× (1.20×–1.42×)", and its median (printed
 * with a third digit where two would read as `limit`).
 */
function cpuOver(floor, row, limit) {
  const s = summary(roundRatios(floor.extra[CPU], row.extra[CPU], true));
  return { value: s.median, text: `${fmtAgainst(s.median, limit)} (${fmtX(s.min)}–${fmtX(s.max)})` };
}

/**
 * The floors a case is shown over beside `bare`: `static-headers` (the bare route plus the same response headers
 * as constants), for a refusal `bare-deny` (the bare app answering bulwark's 401 as constants: what answering
 * any refusal costs) and `bare-error` (the same bytes through the framework's error pipeline, where bulwark's
 * fastify and NestJS denials go), and for the webhook refusal `bare-post` (a bare POST route reading the same body).
 */
function floorsOf(variant) {
  const refusal = variant.startsWith('deny');
  return [
    'static-headers',
    ...(refusal ? ['bare-deny', 'bare-error'] : []),
    ...(variant === 'deny-webhook' ? ['bare-post'] : []),
  ];
}

/** Server CPU per request of `variant` ÷ `bare` in one framework, per round (≤ max is met), and ÷ its other floors. */
function costOverBare(framework, variant, max, label) {
  return {
    target: label,
    check(results) {
      const a = e2eRow(results, framework, variant);
      const b = e2eRow(results, framework, 'bare');
      if (!a?.extra?.[CPU] || !b?.extra?.[CPU]) return undefined;
      const s = cpuOver(b, a, max);
      const floors = floorsOf(variant)
        .map((v) => [v, e2eRow(results, framework, v)])
        .filter(([, row]) => row?.extra?.[CPU]);
      return {
        measured: `${s.text} of a bare route's server CPU per request${floors.map(([v, row]) => `; ${cpuOver(row, a).text} of ${v}'s`).join('')}`,
        met: s.value <= max,
      };
    },
  };
}

/** What each refusal floor is, as the targets table names it. */
const FLOOR_LABEL = {
  'bare-deny': "bulwark's 401 as constants",
  'bare-error': "bulwark's 401 as constants through the framework's error pipeline",
};

/**
 * Not a target: what a floor of a refusal (bare-deny, or bare-error where the framework has an error pipeline)
 * costs over a bare route in one framework.
 */
function denyFloor(framework, floor = 'bare-deny') {
  return {
    target: `${NEST_PLATFORM[framework] ?? framework}: floor, ${floor} (${FLOOR_LABEL[floor]}) ÷ a bare route`,
    check(results) {
      const a = e2eRow(results, framework, floor);
      const b = e2eRow(results, framework, 'bare');
      if (!a?.extra?.[CPU] || !b?.extra?.[CPU]) return undefined;
      return { measured: `${cpuOver(b, a).text} of a bare route's server CPU per request`, floor: true };
    },
  };
}

/** The e2e deny cases (bench/e2e.mjs DENY) the refusal target reads, by variant. */
const REFUSALS = {
  'deny-malformed': '401 malformed token',
  'deny-alg-none': '401 `alg: none` token',
  'deny-cors-preflight': '403 CORS preflight (disallowed origin)',
  'deny-webhook': '401 webhook signature mismatch',
  'deny-limited': '429 over the limit',
};

const NEST_PLATFORM = { nestjs: 'nestjs (express platform)', 'nestjs-fastify': 'nestjs (fastify platform)' };

/** fastify's stack over a bare route, then per adapter the refusal floor and each refusal over a bare route. */
export function e2eTargets() {
  return [
    costOverBare(
      'fastify',
      'bulwark-nojwt',
      1.35,
      'fastify: headers + CORS + rate limit ≤ 1.35× a bare route (≤ 35% added)',
    ),
    costOverBare(
      'fastify',
      'bulwark-cached',
      1.5,
      'fastify: full stack with the token cache ≤ 1.5× a bare route',
    ),
    ...['fastify', 'express', 'nestjs', 'nestjs-fastify', 'fetch'].flatMap((framework) => [
      denyFloor(framework),
      // fetch has no error pipeline: no bare-error there.
      ...(framework === 'fetch' ? [] : [denyFloor(framework, 'bare-error')]),
      ...Object.entries(REFUSALS).map(([variant, what]) =>
        costOverBare(
          framework,
          variant,
          1.3,
          `${NEST_PLATFORM[framework] ?? framework}: ${what} ≤ 1.3× a bare route`,
        ),
      ),
    ]),
  ];
}
