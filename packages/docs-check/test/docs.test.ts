// The repository's own docs: every block of README.md, docs/*.md and packages/*/README.md marked as the
// harness requires, and every checked block type-checked against the built packages with TypeScript 5.9
// and 7, as a user's strict nodenext project compiles it.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockId, collectBlocks } from '../src/blocks.mjs';
import { COMPILERS, tempProject, typeCheck, writeProject } from '../src/compile.mjs';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const { blocks, problems } = collectBlocks(root);
const checked = blocks.filter((b) => b.kind === 'checked');

describe('docs blocks', () => {
  it('are each type-checked or marked with the reason they are not, and import from the adapter', () => {
    expect(problems).toEqual([]);
  });

  it('include the README quick starts, each run on its framework', () => {
    const runs = checked.filter((b) => b.file === 'README.md' && b.run !== undefined).map((b) => b.run);
    expect(runs.sort()).toEqual(['express', 'fastify', 'fetch', 'nestjs', 'nestjs']);
  });
});

describe.each(Object.entries(COMPILERS))('docs type-check with %s', (_label, tsc) => {
  const project = tempProject('docs');
  let result: ReturnType<typeof typeCheck>;
  beforeAll(() => {
    result = typeCheck(tsc, project.dir, writeProject(blocks, project.dir));
  }, 180_000);
  afterAll(() => project.dispose());

  it('reports nothing outside the blocks', () => {
    expect(result.other).toEqual([]);
  });

  it.each(checked.map((b) => [blockId(b)]))('%s compiles', (id) => {
    expect(result.byBlock.get(id)).toEqual([]);
  });
});
