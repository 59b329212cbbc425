import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_CATALOG } from './catalog.js';

describe('the event catalogue', () => {
  it('logs by default only what weakens protection or says it recovered; denials never', () => {
    for (const [type, spec] of Object.entries(EVENT_CATALOG)) {
      if (/\.(rejected|denied|limited|replayed|mismatch|state_rejected)$/.test(type)) {
        expect([type, spec.visibility]).toEqual([type, 'denial']);
      }
      if (/_(recovered|failing|unreachable|stale)$/.test(type)) {
        expect([type, spec.visibility]).toEqual([type, 'logged']);
      }
    }
  });
});

describe('docs/observability.md', () => {
  it('lists every event with the catalogue level and default visibility, and no other', () => {
    const page = readFileSync(join(import.meta.dirname, '../../../../docs/observability.md'), 'utf8');
    const from = page.indexOf('## Every event');
    const doc = page.slice(from, page.indexOf('\n## ', from + 1));
    const rows = [...doc.matchAll(/^\| `([a-z_.]+)` \| (\w+) \| ([^|]+) \|/gm)].map((m) => [
      m[1],
      m[2],
      m[3]!.trim(),
    ]);
    const expected = Object.entries(EVENT_CATALOG).map(([type, spec]) => [
      type,
      spec.level,
      spec.visibility === 'logged'
        ? '**logged**'
        : spec.visibility === 'denial'
          ? 'denial: off (logDenials samples)'
          : 'hook only',
    ]);
    expect(rows).toEqual(expected);
  });
});
