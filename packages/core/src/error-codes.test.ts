import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Every error code bulwark produces is in docs/errors.md, and the page lists nothing that is not produced.
 * Codes are read from the TypeScript AST of `packages/<name>/src` (tests and the private conformance harness
 * excluded), in every form a code is written:
 * - `code: 'X'` in an object literal (SecurityError definitions, hand-written problem bodies);
 * - `code = 'X'` as a class field (ConfigError, StoreFullError);
 * - `new SomeError('X', …)` (RedisStoreError, ProbeError);
 * - the argument of a parameter named `code` in a call to a function of the same file (`tokenError('X', …)`);
 * - the string literals of a type alias named `…Code` (`type RedisStoreErrorCode = 'REDIS_TIMEOUT' | …`).
 * Node's and frameworks' own codes that we only compare against (`err.code === 'HPE_…'`) are not produced.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) yield path;
  }
}

function producedCodes(): Map<string, string> {
  const found = new Map<string, string>();
  const add = (node: ts.Node, file: string) => {
    if (ts.isStringLiteral(node) && CODE.test(node.text) && !found.has(node.text)) found.set(node.text, file);
  };
  const packages = join(root, 'packages');
  for (const pkg of readdirSync(packages).sort()) {
    if (pkg === 'conformance') continue;
    const src = join(packages, pkg, 'src');
    if (!statSync(src, { throwIfNoEntry: false })?.isDirectory()) continue;
    for (const path of sourceFiles(src)) {
      const file = relative(root, path);
      const sf = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
      // Functions of this file taking a `code` parameter: name → position of that parameter.
      const helpers = new Map<string, number>();
      const collect = (node: ts.Node): void => {
        if (ts.isFunctionDeclaration(node) && node.name !== undefined) {
          const i = node.parameters.findIndex((p) => p.name.getText() === 'code');
          if (i !== -1) helpers.set(node.name.text, i);
        }
        ts.forEachChild(node, collect);
      };
      collect(sf);
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
          const i = helpers.get(node.expression.text);
          if (i !== undefined && node.arguments[i] !== undefined) add(node.arguments[i], file);
        }
        if (
          (ts.isPropertyAssignment(node) || ts.isPropertyDeclaration(node)) &&
          node.name.getText() === 'code' &&
          node.initializer !== undefined
        ) {
          add(node.initializer, file);
        } else if (
          ts.isNewExpression(node) &&
          ts.isIdentifier(node.expression) &&
          node.expression.text.endsWith('Error') &&
          node.arguments?.[0] !== undefined
        ) {
          add(node.arguments[0], file);
        } else if (
          ts.isTypeAliasDeclaration(node) &&
          node.name.text.endsWith('Code') &&
          node.name.text !== 'BulwarkErrorCode' // the list checked below, not a producer
        ) {
          const visitType = (t: ts.Node): void => {
            if (ts.isLiteralTypeNode(t)) add(t.literal, file);
            ts.forEachChild(t, visitType);
          };
          visitType(node.type);
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
  }
  return found;
}

/** The string literals of an exported union type alias of a core source file. */
function unionMembers(file: string, name: string): string[] {
  const path = join(root, 'packages/core/src', file);
  const sf = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const members: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isTypeAliasDeclaration(node) && node.name.text === name) {
      const visitType = (t: ts.Node): void => {
        if (ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal)) members.push(t.literal.text);
        ts.forEachChild(t, visitType);
      };
      visitType(node.type);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return members;
}

/** Every string literal of packages/<name>/src outside tests, with the file it is in. */
function literalsOutside(skip: string): Set<string> {
  const found = new Set<string>();
  const packages = join(root, 'packages');
  for (const pkg of readdirSync(packages).sort()) {
    const src = join(packages, pkg, 'src');
    if (pkg === 'conformance' || !statSync(src, { throwIfNoEntry: false })?.isDirectory()) continue;
    for (const path of sourceFiles(src)) {
      if (relative(root, path) === skip) continue;
      const sf = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (ts.isStringLiteral(node)) found.add(node.text);
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
  }
  return found;
}

/** The codes in the first column of the tables of docs/errors.md. */
function documentedCodes(): string[] {
  const page = readFileSync(join(root, 'docs/errors.md'), 'utf8');
  return [...page.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]!);
}

describe('docs/errors.md', () => {
  const produced = producedCodes();
  const documented = documentedCodes();

  it('documents every code produced in packages/*/src', () => {
    // The three the review found missing are among those read from the sources.
    for (const code of [
      'HTTP_BODY_TOO_LARGE',
      'HTTP_INTERNAL_ERROR',
      'STORE_FULL',
      'CONFIG_INVALID',
      'JWT_EXPIRED',
    ]) {
      expect(produced.has(code), code).toBe(true);
    }
    const missing = [...produced]
      .filter(([code]) => !documented.includes(code))
      .map(([c, f]) => `${c} (${f})`);
    expect(missing, 'add a table row for each to docs/errors.md').toEqual([]);
  });

  it('lists only codes that are produced, each once', () => {
    expect(documented.filter((code) => !produced.has(code))).toEqual([]);
    expect(documented.filter((code, i) => documented.indexOf(code) !== i)).toEqual([]);
  });

  it('every code is AREA_WHAT: an area prefix and what happened', () => {
    expect(documented.filter((code) => !/^[A-Z0-9]+_[A-Z0-9_]+$/.test(code))).toEqual([]);
  });
});

describe('BulwarkErrorCode', () => {
  it('is exactly the codes core and the adapters produce (redis and the CLI have their own unions)', () => {
    const union = unionMembers('errors.ts', 'BulwarkErrorCode').sort();
    const own = [...producedCodes()]
      .filter(([, file]) => !file.startsWith('packages/redis/') && !file.startsWith('packages/cli/'))
      .map(([code]) => code)
      .sort();
    expect(union).toEqual(own);
  });
});

describe('BulwarkEventType', () => {
  it('names only events some rule emits (the compiler checks every emitted one is named)', () => {
    const union = unionMembers('events.ts', 'BulwarkEventType');
    expect(union.length).toBeGreaterThan(20);
    const literals = literalsOutside('packages/core/src/events.ts');
    expect(union.filter((type) => !literals.has(type))).toEqual([]);
  });
});
