// @ts-check
// Docs are code. Every fenced code block of README.md, docs/*.md, packages/*/README.md and the examples'
// README.md files is found here;
// a TypeScript block (```ts) is type-checked, any other JavaScript-like block must say why it is not.
//
// A block may carry a hidden directive: an HTML comment (invisible on GitHub and npm) right before the
// fence, only blank lines between.
//
//   <!-- docs-check name=jwt -->                  other blocks of the page can build on this one
//   <!-- docs-check uses=jwt                       compiled after the `jwt` block, in one module, and after
//   import express from 'express';                 the hidden context lines that follow (the declarations
//   const app = express();                         the prose says the reader already has)
//   -->
//   <!-- docs-check skip: the risky pattern, with express-jwt -->   not compiled; the reason is reported
//   <!-- docs-check uses=jwt run=express -->      also run (test/quick-starts.test.ts): compiled to
//                                                  JavaScript and started as a user starts it, then asked
//                                                  over HTTP what the prose promises (RUNNERS: express,
//                                                  fastify, nestjs, fetch)
//
// One block is one ES module (.mts, nodenext). `uses` blocks come first, then the context, then the code.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Languages of code a reader copies: each block in one of them is type-checked or marked. */
const CODE = new Set(['ts', 'typescript', 'mts', 'cts', 'tsx', 'js', 'javascript', 'mjs', 'cjs', 'jsx']);
/** The languages that are type-checked. */
const CHECKED = new Set(['ts', 'typescript']);
/** The adapters: each re-exports what its users need, so a block using one imports nothing from core. */
const ADAPTERS = [
  '@bulwark/express',
  '@bulwark/fastify',
  '@bulwark/nestjs',
  '@bulwark/fetch',
  '@bulwark/hono',
];
/** How a `run=` block is started: the framework whose app it builds. */
export const RUNNERS = ['express', 'fastify', 'nestjs', 'fetch'];

/**
 * @typedef {object} Block
 * @property {string} file      path relative to the repository root
 * @property {number} line      1-based line of the opening fence
 * @property {string} lang      the fence's language (`ts`, `js`, `sh`…)
 * @property {string} code      the block's text, fence indentation removed
 * @property {string | undefined} name      `name=` of its directive
 * @property {string[]} uses    `uses=` of its directive
 * @property {string} context   hidden lines of its directive ('' when none)
 * @property {number} contextLine 1-based line of the first hidden context line
 * @property {string | undefined} skip      the reason of `skip:`
 * @property {string | undefined} run       `run=` of its directive: the framework the block's app is run on
 * @property {'checked' | 'skipped' | 'other'} kind   type-checked, marked not compiled, or not code (sh, text…)
 */

/**
 * The markdown files whose blocks are checked, relative to `root`: README.md, docs/*.md, packages/*\/README.md,
 * examples/README.md and examples/*\/README.md.
 * @param {string} root
 */
export function docFiles(root) {
  const files = ['README.md'];
  for (const f of readdirSync(join(root, 'docs')).sort()) if (f.endsWith('.md')) files.push(`docs/${f}`);
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    if (existsSync(join(root, 'packages', dir, 'README.md'))) files.push(`packages/${dir}/README.md`);
  }
  // The examples' pages: how to run them, what they read from the environment.
  if (existsSync(join(root, 'examples', 'README.md'))) files.push('examples/README.md');
  for (const dir of readdirSync(join(root, 'examples')).sort()) {
    if (existsSync(join(root, 'examples', dir, 'README.md'))) files.push(`examples/${dir}/README.md`);
  }
  return files;
}

/**
 * The fenced blocks of one markdown text, with their directives, and what is wrong with how they are
 * marked (a JavaScript block neither checked nor skipped, a directive attached to nothing…).
 *
 * @param {string} markdown
 * @param {string} file
 * @returns {{ blocks: Block[], problems: string[] }}
 */
export function extractBlocks(markdown, file) {
  const lines = markdown.split('\n');
  /** @type {Block[]} */
  const blocks = [];
  const problems = [];
  const used = new Set(); // lines of directives that attached to a block
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)(.*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const [, indent = '', fence = '', lang = ''] = open;
    let end = i + 1;
    while (end < lines.length && !isClosing(lines[end] ?? '', fence)) end++;
    if (end >= lines.length) problems.push(`${file}:${i + 1}: the fence is never closed`);
    const code = lines
      .slice(i + 1, end)
      .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()))
      .join('\n');
    const directive = directiveBefore(lines, i);
    if (directive) used.add(directive.start);
    const parsed = directive
      ? parseDirective(directive.text, `${file}:${directive.start + 1}`, problems)
      : {};
    const language = lang.toLowerCase();
    const kind = parsed.skip !== undefined ? 'skipped' : CHECKED.has(language) ? 'checked' : 'other';
    if (kind === 'other' && CODE.has(language)) {
      problems.push(
        `${file}:${i + 1}: a \`${lang}\` block is neither type-checked nor marked: make it \`ts\` (checked), or ` +
          'put <!-- docs-check skip: <why it does not compile> --> before it',
      );
    }
    if (
      directive &&
      kind !== 'checked' &&
      (parsed.name || parsed.uses?.length || parsed.context || parsed.run)
    ) {
      problems.push(
        `${file}:${directive.start + 1}: name=, uses=, run= and context lines apply to checked blocks only`,
      );
    }
    blocks.push({
      file,
      line: i + 1,
      lang: language,
      code,
      name: parsed.name,
      uses: parsed.uses ?? [],
      context: parsed.context ?? '',
      contextLine: directive ? directive.start + 2 : 0,
      skip: parsed.skip,
      run: parsed.run,
      kind,
    });
    i = end;
  }
  lines.forEach((l, n) => {
    if (/^\s*<!--\s*docs-check\b/.test(l) && !used.has(n))
      problems.push(`${file}:${n + 1}: this docs-check directive is not right before a code block`);
  });
  const names = new Map();
  for (const b of blocks) {
    if (b.name === undefined) continue;
    if (names.has(b.name)) problems.push(`${file}:${b.line}: name=${b.name} is used twice on this page`);
    names.set(b.name, b);
  }
  for (const b of blocks) {
    for (const u of b.uses) {
      if (!names.has(u)) problems.push(`${file}:${b.line}: uses=${u} names no block of this page`);
    }
    if (b.kind === 'checked') problems.push(...importProblems(b, blocks));
  }
  return { blocks, problems };
}

/** @param {string} line @param {string} fence */
function isClosing(line, fence) {
  const t = line.trim();
  return t.length >= fence.length && t[0] === fence[0] && /^(`+|~+)$/.test(t);
}

/**
 * The HTML comment that ends on the last non-blank line before line `at`, if it is a docs-check directive.
 * @param {string[]} lines @param {number} at
 */
function directiveBefore(lines, at) {
  let j = at - 1;
  while (j >= 0 && (lines[j] ?? '').trim() === '') j--;
  if (j < 0 || !(lines[j] ?? '').trimEnd().endsWith('-->')) return undefined;
  let start = j;
  while (start >= 0 && !(lines[start] ?? '').includes('<!--')) start--;
  if (start < 0 || !/^\s*<!--\s*docs-check\b/.test(lines[start] ?? '')) return undefined;
  return { start, text: lines.slice(start, j + 1).join('\n') };
}

/**
 * @param {string} text @param {string} where @param {string[]} problems
 * @returns {{ name?: string, uses?: string[], context?: string, skip?: string, run?: string }}
 */
function parseDirective(text, where, problems) {
  const body = text.replace(/^\s*<!--\s*docs-check\b/, '').replace(/-->\s*$/, '');
  const newline = body.indexOf('\n');
  const head = (newline === -1 ? body : body.slice(0, newline)).trim();
  const context = newline === -1 ? '' : body.slice(newline + 1).replace(/\s+$/, '');
  const skip = /^skip:(.*)$/.exec(head);
  if (skip) {
    const reason = (skip[1] ?? '').trim();
    if (reason === '') problems.push(`${where}: skip: needs the reason the block does not compile`);
    if (context !== '') problems.push(`${where}: a skipped block has no context lines`);
    return { skip: reason };
  }
  /** @type {{ name?: string, uses?: string[], context?: string, run?: string }} */
  const out = { context };
  for (const token of head.split(/\s+/).filter(Boolean)) {
    const m = /^(name|uses|run)=([\w,-]+)$/.exec(token);
    if (!m) {
      problems.push(
        `${where}: unknown docs-check directive "${token}" (name=<id>, uses=<id>[,<id>], run=<framework>, skip: <why>)`,
      );
      continue;
    }
    if (m[1] === 'name') out.name = m[2];
    else if (m[1] === 'run') {
      if (RUNNERS.includes(m[2] ?? '')) out.run = m[2];
      else problems.push(`${where}: run=${m[2]} is not one of ${RUNNERS.join(', ')}`);
    } else out.uses = (m[2] ?? '').split(',').filter(Boolean);
  }
  return out;
}

/**
 * A block that uses an adapter imports everything from it: one install is enough. Checked on the module
 * the block compiles as (the blocks it uses and its hidden context too), and in an adapter's own README
 * every block is an adapter block.
 * @param {Block} b @param {Block[]} page
 */
function importProblems(b, page) {
  const { source } = moduleOf(b, page);
  const from = [...source.matchAll(/\bfrom\s+['"]([^'"]+)['"]/g)].map((m) => m[1] ?? '');
  const readme = /^packages\/(express|fastify|nestjs|fetch|hono)\/README\.md$/.exec(b.file);
  const adapter = from.find((s) => ADAPTERS.includes(s)) ?? (readme ? `@bulwark/${readme[1]}` : undefined);
  const core = from.find((s) => s === '@bulwark/core' || s.startsWith('@bulwark/core/'));
  if (adapter && core) {
    return [
      `${b.file}:${b.line}: imports from ${core} next to ${adapter}: import it from ${adapter}, ` +
        'which re-exports what its users need (a pnpm project with only the adapter installed has no @bulwark/core)',
    ];
  }
  return [];
}

/**
 * Every block of every doc file under `root`, with the marking problems found.
 * @param {string} root
 */
export function collectBlocks(root) {
  /** @type {Block[]} */
  const blocks = [];
  const problems = [];
  for (const file of docFiles(root)) {
    const found = extractBlocks(readFileSync(join(root, file), 'utf8'), file);
    blocks.push(...found.blocks);
    problems.push(...found.problems);
  }
  return { blocks, problems };
}

/**
 * The module a checked block compiles as, and where each of its lines came from (for error positions).
 * `uses` blocks come first (recursively, each once), then the block's hidden context, then its code.
 *
 * @param {Block} block
 * @param {Block[]} page every block of the block's file
 * @returns {{ source: string, origin: { file: string, line: number }[] }}
 */
export function moduleOf(block, page) {
  /** @type {string[]} */
  const out = [];
  /** @type {{ file: string, line: number }[]} */
  const origin = [];
  const seen = new Set();
  /** @param {string} text @param {number} firstLine */
  const add = (text, firstLine) => {
    text.split('\n').forEach((l, n) => {
      out.push(l);
      origin.push({ file: block.file, line: firstLine + n });
    });
  };
  /** @param {Block} b */
  const visit = (b) => {
    if (seen.has(b)) return;
    seen.add(b);
    for (const u of b.uses) {
      const dep = page.find((p) => p.name === u);
      if (dep) visit(dep);
    }
    if (b.context !== '') add(b.context, b.contextLine);
    add(b.code, b.line + 1);
  };
  visit(block);
  // A block without import or export is still a module (top-level await, its own scope).
  out.push('export {};');
  origin.push({ file: block.file, line: block.line });
  return { source: `${out.join('\n')}\n`, origin };
}

/** `README.md:48` style id of a block, used for file names and test names. @param {Block} b */
export function blockId(b) {
  return `${b.file}:${b.line}`;
}
