import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gcra } from './gcra.js';

const rule = { intervalMs: 1000, burst: 3 }; // 60/min with a burst of 3

/** Drive one key through gcra with a fake clock. */
function bucket(r = rule) {
  let tat: number | undefined;
  return (now: number, cost = 1) => {
    const step = gcra(tat, now, r, cost);
    tat = step.tat;
    return step;
  };
}

describe('gcra', () => {
  it('allows exactly the burst at once, then one per interval', () => {
    const hit = bucket();
    expect([hit(0), hit(0), hit(0)].map((s) => [s.allowed, s.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
    ]);
    const denied = hit(0);
    expect(denied).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 1000, resetMs: 3000 });
    expect(hit(999).allowed).toBe(false);
    expect(hit(1000).allowed).toBe(true); // exactly at the boundary
    expect(hit(1000).allowed).toBe(false);
  });

  it('admits nothing before the interval has passed, however long the interval (slack is absolute, not a fraction)', () => {
    // One per hour: a slack of 1e-6 intervals was 3.6 ms, so a unit came back 3.6 ms early (before the
    // RateLimit t the headers had announced).
    const hit = bucket({ intervalMs: 3_600_000, burst: 1 });
    expect(hit(0).allowed).toBe(true);
    expect(hit(3_599_997, 0)).toMatchObject({ allowed: true, remaining: 0 });
    expect(hit(3_599_997).allowed).toBe(false);
    expect(hit(3_599_999).allowed).toBe(false);
    expect(hit(3_600_000)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('a denial consumes nothing', () => {
    const hit = bucket();
    hit(0);
    hit(0);
    hit(0);
    for (let i = 0; i < 50; i++) expect(hit(500).allowed).toBe(false);
    expect(hit(1000).allowed).toBe(true);
  });

  it('charges cost > 1 and refuses a cost that does not fit without consuming', () => {
    const hit = bucket();
    expect(hit(0, 2)).toMatchObject({ allowed: true, remaining: 1, resetMs: 2000 });
    expect(hit(0, 2)).toMatchObject({ allowed: false, remaining: 1, retryAfterMs: 1000 });
    expect(hit(0, 1)).toMatchObject({ allowed: true, remaining: 0 });
    expect(hit(2000, 2).allowed).toBe(true);
  });

  it('a cost above the burst never fits', () => {
    expect(gcra(undefined, 0, rule, 4).allowed).toBe(false);
  });

  it('refills fully after a forward clock jump, never beyond the burst', () => {
    const hit = bucket();
    hit(0);
    hit(0);
    hit(0);
    expect(hit(10 ** 9)).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('a backward clock jump never locks a key out for longer than a full refill', () => {
    const hit = bucket();
    hit(1_000_000);
    hit(1_000_000);
    hit(1_000_000);
    // the clock goes back an hour: the stored time is clamped to now + burst
    const step = hit(1_000_000 - 3_600_000);
    expect(step.allowed).toBe(false);
    expect(step.retryAfterMs).toBeLessThanOrEqual(1000);
    expect(step.resetMs).toBeLessThanOrEqual(3000);
  });

  it('handles non-integer intervals (7 per minute) without drift at the boundaries', () => {
    const r = { intervalMs: 60_000 / 7, burst: 7 };
    const hit = bucket(r);
    for (let i = 0; i < 7; i++) expect(hit(0).allowed).toBe(true);
    expect(hit(0).allowed).toBe(false);
    expect(hit(60_000 / 7).allowed).toBe(true);
    let admitted = 0;
    for (let t = 60_000 / 7; t <= 60_000 * 10; t += 60_000 / 7) if (hit(t).allowed) admitted++;
    expect(admitted).toBe(69); // one per interval from the second to the seventieth
  });

  it('never admits more than burst + elapsed/interval over any run', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 3 })), {
          maxLength: 200,
        }),
        (burst, intervalMs, steps) => {
          const hit = bucket({ intervalMs, burst });
          let now = 0;
          let admitted = 0;
          for (const [dt, cost] of steps) {
            now += dt;
            const s = hit(now, cost);
            expect(s.remaining).toBeGreaterThanOrEqual(0);
            expect(s.remaining).toBeLessThanOrEqual(burst);
            expect(s.retryAfterMs).toBeGreaterThanOrEqual(0);
            if (s.allowed) admitted += cost;
            else expect(s.retryAfterMs).toBeGreaterThan(0);
          }
          expect(admitted).toBeLessThanOrEqual(burst + Math.floor(now / intervalMs));
        },
      ),
    );
  });
});
