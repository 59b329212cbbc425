import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../ratelimit/limiter.js';
import { createMemoryReplayStore, createMemoryRevocationStore } from './memory.js';
import { createMemoryRefreshTokenStore } from './memory-refresh.js';

function capture(fn: () => void): string[] {
  const lines: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => lines.push(args.join(' '));
  try {
    fn();
  } finally {
    console.warn = warn;
  }
  return lines;
}

describe('memory stores on Cloudflare Workers', () => {
  it('say at startup, once per kind, that their state is per isolate; elsewhere they say nothing', () => {
    expect(capture(() => createRateLimiter({ rate: '1/min' }))).toEqual([]);
    const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', {
      value: { userAgent: 'Cloudflare-Workers' },
      configurable: true,
    });
    let lines: string[];
    try {
      lines = capture(() => {
        createRateLimiter({ rate: '1/min', clientIp: { platform: 'cloudflare' } });
        createRateLimiter({ rate: '1/min', clientIp: { platform: 'cloudflare' } });
        createMemoryReplayStore();
        createMemoryRevocationStore();
        createMemoryRefreshTokenStore();
        createMemoryReplayStore();
      });
    } finally {
      if (had) Object.defineProperty(globalThis, 'navigator', had);
      else delete (globalThis as { navigator?: unknown }).navigator;
    }
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^bulwark: stores\.ratelimit is a memory store.*counted per isolate/);
    expect(lines[1]).toMatch(/stores\.replay .*processed again/);
    expect(lines[2]).toMatch(/stores\.revocation .*still accepted by the others/);
    expect(lines[3]).toMatch(/stores\.refresh /);
  });
});
