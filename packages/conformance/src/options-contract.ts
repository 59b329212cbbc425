/**
 * The option contract every public factory keeps, read from the TypeScript declarations themselves: which
 * functions take an options object, which of its paths are numbers and which are nested options objects.
 * A test feeds each path what must be refused (an unknown key, NaN, -1, Infinity), so an option added later
 * without validation fails that test instead of silently accepting `cooldownMs: NaN`.
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** One exported function that takes an options object. */
export interface OptionFunction {
  /** Exported name. */
  readonly name: string;
  /** Index of the options parameter. */
  readonly param: number;
  /** Paths of numeric options, e.g. `jwks.cooldownMs`, `buckets[0].burst`. */
  readonly numbers: readonly string[];
  /** Paths of nested options objects, `''` for the options object itself. */
  readonly objects: readonly string[];
}

const OPTIONS_TYPE = /Options(?:Input)?$/;
const MAX_DEPTH = 6;

const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

/**
 * Every exported function of `entry` (a package's source entry) with a parameter whose type is named
 * `…Options` / `…OptionsInput`, and the shape of that options type.
 *
 * @example
 * const fns = optionFunctions(fileURLToPath(new URL('../../core/src/index.ts', import.meta.url)));
 */
export function optionFunctions(entry: string): OptionFunction[] {
  const program = ts.createProgram([entry], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    customConditions: ['bulwark-source'],
    strict: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: true,
    noEmit: true,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (source === undefined) throw new Error(`cannot read ${entry}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error(`${entry} is not a module`);

  const ours = (decl: ts.Declaration): boolean => {
    const file = decl.getSourceFile();
    return (
      !program.isSourceFileDefaultLibrary(file) &&
      !program.isSourceFileFromExternalLibrary(file) &&
      !file.fileName.includes('/node_modules/')
    );
  };

  function walk(
    type: ts.Type,
    path: string,
    depth: number,
    numbers: Set<string>,
    objects: Set<string>,
  ): void {
    if (depth > MAX_DEPTH) return;
    const t = checker.getNonNullableType(type);
    if (t.isUnion()) {
      for (const member of t.types) walk(member, path, depth, numbers, objects);
      return;
    }
    if (t.flags & ts.TypeFlags.NumberLike) {
      numbers.add(path);
      return;
    }
    if (!(t.flags & ts.TypeFlags.Object) && !t.isIntersection()) return;
    if (t.getCallSignatures().length > 0 || t.getConstructSignatures().length > 0) return;
    if (checker.isArrayType(t) || checker.isTupleType(t)) {
      const [element] = checker.getTypeArguments(t as ts.TypeReference);
      if (element !== undefined) walk(element, `${path}[0]`, depth + 1, numbers, objects);
      return;
    }
    const symbol = t.aliasSymbol ?? t.getSymbol();
    const decls = symbol?.getDeclarations() ?? [];
    // Dependencies (stores, clients, keys, class instances, lib types) are passed through, not options.
    if (decls.some((d) => !ours(d) || ts.isClassDeclaration(d))) return;
    if (checker.getIndexInfosOfType(t).length > 0) return; // a map (header values, endpoints), not options
    const props = checker.getPropertiesOfType(t);
    if (props.some((p) => p.getDeclarations()?.some((d) => ts.isMethodSignature(d)))) return;
    objects.add(path);
    for (const prop of props) {
      const decl = prop.valueDeclaration ?? prop.getDeclarations()?.[0];
      if (decl === undefined) continue;
      walk(
        checker.getTypeOfSymbolAtLocation(prop, decl),
        join(path, prop.getName()),
        depth + 1,
        numbers,
        objects,
      );
    }
  }

  const out: OptionFunction[] = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const decl = symbol.getDeclarations()?.find(ts.isFunctionDeclaration);
    if (decl === undefined) continue;
    decl.parameters.forEach((param, index) => {
      const type = checker.getTypeAtLocation(param);
      const named = [checker.getNonNullableType(type)].flatMap((t) => (t.isUnion() ? t.types : [t]));
      const name = named
        .map((t) => (t.aliasSymbol ?? t.getSymbol())?.getName() ?? '')
        .find((n) => OPTIONS_TYPE.test(n));
      if (name === undefined) return;
      const numbers = new Set<string>();
      const objects = new Set<string>();
      walk(type, '', 0, numbers, objects);
      out.push({ name: exported.getName(), param: index, numbers: [...numbers], objects: [...objects] });
    });
  }
  return out;
}

/** How to call one options-taking function with valid options, for {@link defineOptionContract}. */
export interface OptionCase {
  /**
   * Valid options, in one or more shapes (`issuers: [...]` excludes `issuer`): each path is tested on the
   * first shape that reaches it. A path no shape reaches fails the contract, so a new nested option needs one.
   */
  readonly bases: readonly Record<string, unknown>[];
  /** Call the function with `options` in its options parameter; may return a promise. */
  readonly call: (options: Record<string, unknown>) => unknown;
  /** Release what a successful call started (a file watcher). */
  readonly cleanup?: (result: unknown) => void | Promise<void>;
}

type Segment = string | 0;

function segments(path: string): Segment[] {
  if (path === '') return [];
  return path.split('.').flatMap((part) => {
    const array = part.endsWith('[0]');
    const name = array ? part.slice(0, -3) : part;
    return array ? [name, 0 as const] : [name];
  });
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/** How well `base` reaches `path`: 2 when every parent exists, 1 when missing objects can be made, 0 never. */
function reach(base: Record<string, unknown>, path: readonly Segment[]): number {
  let node: unknown = base;
  let whole = 2;
  for (const seg of path) {
    if (seg === 0) {
      if (!Array.isArray(node) || node.length === 0) return 0;
      node = node[0];
    } else {
      const next: unknown = isPlain(node) ? node[seg] : undefined;
      if (next === undefined || (!isPlain(next) && !Array.isArray(next))) whole = 1;
      node = next;
    }
  }
  return whole;
}

/** A copy of `base` with `value` at `path`: plain objects on the way are copied, missing ones created. */
function withValue(
  base: Record<string, unknown>,
  path: readonly Segment[],
  value: unknown,
): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined) return base;
  const copy: Record<string, unknown> = { ...base };
  if (rest.length === 0) {
    copy[head as string] = value;
    return copy;
  }
  if (rest[0] === 0) {
    const list = [...(base[head as string] as unknown[])];
    list[0] = withValue(list[0] as Record<string, unknown>, rest.slice(1), value);
    copy[head as string] = list;
    return copy;
  }
  const child = base[head as string];
  copy[head as string] = withValue(isPlain(child) ? child : {}, rest, value);
  return copy;
}

/** The object at `path` of `base`, created empty where missing. */
function objectAt(base: Record<string, unknown>, path: readonly Segment[]): Record<string, unknown> {
  let node: unknown = base;
  for (const seg of path) node = seg === 0 ? (node as unknown[])[0] : isPlain(node) ? node[seg] : undefined;
  return isPlain(node) ? node : {};
}

interface Failure {
  readonly option: string;
  readonly message: string;
}

async function failure(c: OptionCase, options: Record<string, unknown>): Promise<Failure | string> {
  let result: unknown;
  try {
    result = await c.call(options);
  } catch (err) {
    const e = err as { code?: unknown; option?: unknown; message?: unknown };
    if (e?.code !== 'CONFIG_INVALID') return `threw ${String(err)} instead of a ConfigError`;
    return { option: String(e.option), message: String(e.message) };
  }
  await c.cleanup?.(result);
  return 'was accepted';
}

const namesPath = (option: string, path: string) => option === path || option.endsWith(`.${path}`);

/**
 * Register the option contract of a package: every exported function of `entries` with an options parameter
 * has a case (or a reason in `exempt`), accepts its valid options, refuses an unknown key in every options
 * object it takes (naming its path, and the spelling a case slip meant), and refuses NaN, -1 and Infinity
 * in every numeric option with a ConfigError that names the path and the accepted range.
 *
 * @example
 * defineOptionContract('@bulwark/core', [entry], { createCorsPolicy: { bases: [{ origins: ['https://a.example'] }], call: (o) => createCorsPolicy(o as never) } }, {});
 */
export function defineOptionContract(
  title: string,
  entries: readonly string[],
  cases: Readonly<Record<string, OptionCase>>,
  exempt: Readonly<Record<string, string>>,
): void {
  const fns = entries.flatMap((entry) => optionFunctions(entry));
  describe(`${title}: option contract`, () => {
    it('covers every exported function that takes options', () => {
      const found = fns.map((f) => f.name).filter((n) => !(n in exempt));
      expect(found.sort(), 'add a case (valid options) for each new options-taking export').toEqual(
        Object.keys(cases).sort(),
      );
    });

    for (const fn of fns.filter((f) => !(f.name in exempt))) {
      const c = cases[fn.name];
      if (c === undefined) continue;
      it(`${fn.name}: valid options pass, unknown keys and bad numbers are refused at their path`, async () => {
        for (const base of c.bases) expect(await failure(c, base), `${fn.name} base`).toBe('was accepted');
        const pick = (path: string) => {
          const segs = segments(path);
          const ranked = c.bases.map((b) => [reach(b, segs), b] as const).filter(([r]) => r > 0);
          ranked.sort((a, b) => b[0] - a[0]);
          const base = ranked[0]?.[1];
          if (base === undefined) throw new Error(`${fn.name}: no base reaches ${path}; add one that does`);
          return { base, segs };
        };
        for (const path of fn.objects) {
          const { base, segs } = pick(path);
          const key = path === '' ? 'bogusOption' : `${path}.bogusOption`;
          const got = await failure(c, withValue(base, [...segs, 'bogusOption'], 1));
          expect(
            typeof got === 'object' && namesPath(got.option, key),
            `${fn.name} ${key}: ${JSON.stringify(got)}`,
          ).toBe(true);
          // A case slip of a known key names the key it meant.
          const known = Object.keys(objectAt(base, segs)).find(
            (k) => k.length >= 3 && k.toLowerCase() !== k.toUpperCase(),
          );
          if (known !== undefined) {
            const slip =
              known[0] === known[0]!.toUpperCase()
                ? known.toLowerCase()
                : known[0]!.toUpperCase() + known.slice(1);
            const near = await failure(c, withValue(base, [...segs, slip], objectAt(base, segs)[known]));
            expect(
              typeof near === 'object' && near.message.includes(`did you mean ${known}?`),
              `${fn.name} ${path}.${slip}: ${JSON.stringify(near)}`,
            ).toBe(true);
          }
        }
        for (const path of fn.numbers) {
          const { base, segs } = pick(path);
          for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
            const got = await failure(c, withValue(base, segs, bad));
            expect(
              typeof got === 'object' &&
                namesPath(got.option, path) &&
                /between \S+ and \S+/.test(got.message),
              `${fn.name} ${path} = ${bad}: ${JSON.stringify(got)}`,
            ).toBe(true);
          }
        }
      });
    }
  });
}
