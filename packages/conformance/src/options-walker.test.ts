import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { optionFunctions } from './options-contract.js';

// The contract is only as good as what the walker finds: numbers and nested options objects at any depth,
// through unions, optional and readonly arrays, while stores, clients, functions and maps are left alone.

describe('optionFunctions', () => {
  it('finds every numeric path and options object of every options-taking export', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-walker-'));
    const file = join(dir, 'index.ts');
    writeFileSync(
      file,
      `
      export interface Store { get(key: string): Promise<number> }
      export interface TierOptions { limit: number; label?: string }
      export interface WidgetOptions {
        count?: number;
        mode?: 'a' | 'b';
        cache?: true | { maxEntries?: number; readonly ttlMs?: number };
        tiers?: readonly TierOptions[];
        cost?: number | ((n: number) => number);
        store?: Store;
        headers?: Readonly<Record<string, string>>;
        now?: () => number;
        bytes?: Uint8Array;
      }
      export function createWidget(options: WidgetOptions): void { void options; }
      export function useWidget(name: string, options?: WidgetOptions): void { void name; void options; }
      export function plain(n: number, s: string): void { void n; void s; }
      `,
    );
    const fns = optionFunctions(file);
    expect(fns.map((f) => [f.name, f.param])).toEqual([
      ['createWidget', 0],
      ['useWidget', 1],
    ]);
    expect([...fns[0]!.numbers].sort()).toEqual([
      'cache.maxEntries',
      'cache.ttlMs',
      'cost',
      'count',
      'tiers[0].limit',
    ]);
    expect([...fns[0]!.objects].sort()).toEqual(['', 'cache', 'tiers[0]']);
  });
});
