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
