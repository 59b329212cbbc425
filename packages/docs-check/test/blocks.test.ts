import { afterAll, describe, expect, it } from 'vitest';
import { extractBlocks, moduleOf } from '../src/blocks.mjs';
import { COMPILERS, tempProject, typeCheck, writeProject } from '../src/compile.mjs';

const fence = '```';

describe('extractBlocks', () => {
  it('reads blocks, their languages, lines and directives', () => {
    const md = [
      '# Page', //                                   1
      '<!-- docs-check name=jwt -->', //              2
      `${fence}ts`, //                                3
      "const jwt = { issuer: 'x' };", //              4
      fence, //                                       5
      '', //                                          6
      '<!-- docs-check uses=jwt', //                  7
      "import express from 'express';", //            8
      'const app = express();', //                    9
      '-->', //                                      10
      '', //                                         11
      `${fence}ts`, //                               12
      'app.get(jwt.issuer);', //                     13
      fence, //                                      14
      `${fence}sh`, //                               15
      'npm install', //                              16
      fence, //                                      17
      '<!-- docs-check skip: the risky pattern, with express-jwt -->',
      `${fence}js`,
      'jwt.verify(token, key);',
      fence,
    ].join('\n');
    const { blocks, problems } = extractBlocks(md, 'page.md');
    expect(problems).toEqual([]);
    expect(blocks.map((b) => [b.line, b.lang, b.kind, b.name, b.uses, b.skip])).toEqual([
      [3, 'ts', 'checked', 'jwt', [], undefined],
      [12, 'ts', 'checked', undefined, ['jwt'], undefined],
      [15, 'sh', 'other', undefined, [], undefined],
      [19, 'js', 'skipped', undefined, [], 'the risky pattern, with express-jwt'],
    ]);
    expect(blocks[1]?.context).toBe("import express from 'express';\nconst app = express();");
    expect(blocks[1]?.contextLine).toBe(8);
  });

  it('builds one module: used blocks, then the hidden context, then the code, lines traced back', () => {
    const md = [
      '<!-- docs-check name=a -->',
      `${fence}ts`,
      'const a = 1;',
      fence,
      '<!-- docs-check uses=a',
      'const b = a + 1;',
      '-->',
      `${fence}ts`,
      'console.log(b);',
      fence,
    ].join('\n');
    const { blocks } = extractBlocks(md, 'p.md');
    const { source, origin } = moduleOf(blocks[1]!, blocks);
    expect(source).toBe('const a = 1;\nconst b = a + 1;\nconsole.log(b);\nexport {};\n');
    expect(origin.slice(0, 3)).toEqual([
      { file: 'p.md', line: 3 },
      { file: 'p.md', line: 6 },
      { file: 'p.md', line: 9 },
    ]);
  });

  it('keeps the code of an indented fence (inside a list) without its indentation', () => {
    const md = ['- step', `   ${fence}ts`, '   const x = 1;', '     nested;', `   ${fence}`].join('\n');
    expect(extractBlocks(md, 'p.md').blocks[0]?.code).toBe('const x = 1;\n  nested;');
  });

  it.each([
    [[`${fence}js`, 'x()', fence], /p\.md:1: a `js` block is neither type-checked nor marked/],
    [[`${fence}javascript`, 'x()', fence], /a `javascript` block is neither type-checked nor marked/],
    [['<!-- docs-check skip: -->', `${fence}ts`, 'x', fence], /skip: needs the reason/],
    [['<!-- docs-check skip:   -->', `${fence}js`, 'x', fence], /skip: needs the reason/],
    [['<!-- docs-check uses=nope -->', `${fence}ts`, 'x', fence], /uses=nope names no block of this page/],
    [['<!-- docs-check nmae=a -->', `${fence}ts`, 'x', fence], /unknown docs-check directive "nmae=a"/],
    [
      ['<!-- docs-check name=a -->', 'prose in between', `${fence}ts`, 'x', fence],
      /is not right before a code block/,
    ],
    [['<!-- docs-check name=a -->', `${fence}sh`, 'ls', fence], /apply to checked blocks only/],
    [
      [
        '<!-- docs-check name=a -->',
        `${fence}ts`,
        'x',
        fence,
        '<!-- docs-check name=a -->',
        `${fence}ts`,
        'y',
        fence,
      ],
      /name=a is used twice/,
    ],
    [[`${fence}ts`, 'const x = 1;'], /the fence is never closed/],
    [
      [
        `${fence}ts`,
        "import { requireJwt } from '@bulwark/express';",
        "import { createJwtVerifier } from '@bulwark/core';",
        fence,
      ],
      /imports from @bulwark\/core next to @bulwark\/express: import it from @bulwark\/express/,
    ],
    [
      [
        '<!-- docs-check',
        "import { createClientIpResolver } from '@bulwark/core/node';",
        '-->',
        `${fence}ts`,
        "import { protect } from '@bulwark/fetch';",
        fence,
      ],
      /imports from @bulwark\/core\/node next to @bulwark\/fetch/,
    ],
  ])('reports a marking mistake: %j', (lines, message) => {
    const { problems } = extractBlocks(lines.join('\n'), 'p.md');
    expect(problems.join('\n')).toMatch(message);
  });

  it('accepts core imports in a block that uses no adapter, and an adapter alone', () => {
    const md = [
      `${fence}ts`,
      "import { createJwtVerifier } from '@bulwark/core';",
      fence,
      `${fence}ts`,
      "import { requireJwt, createJwtVerifier } from '@bulwark/express';",
      "import { createRedisReplayStore } from '@bulwark/redis';",
      fence,
    ].join('\n');
    expect(extractBlocks(md, 'p.md').problems).toEqual([]);
  });
});

describe.each(Object.entries(COMPILERS))('typeCheck with %s', (_label, tsc) => {
  const project = tempProject('docs-check-test');
  afterAll(() => project.dispose());

  it('places each error at its markdown line; a syntax error in one block hides nothing in another', () => {
    const md = [
      '# t', //                                                 1
      '<!-- docs-check', //                                      2
      "const port: number = 'eighty';", //                      3  error in the hidden context
      '-->', //                                                  4
      `${fence}ts`, //                                           5
      'const ok: string = "yes";', //                           6
      'const count: number = ok;', //                           7  type error in the code
      fence, //                                                  8
      `${fence}ts`, //                                           9
      'const broken = ;', //                                    10  syntax error
      fence, //                                                 11
      `${fence}ts`, //                                          12
      "import { requireJwt } from '@bulwark/express';", //      13
      "requireJwt({ algorithms: 'RS256' });", //                14  resolved against the built package
      fence, //                                                 15
      `${fence}ts`, //                                          16
      "import { requireJwt } from '@bulwark/express';", //      17
      'export const handler = requireJwt;', //                  18  fine
      fence, //                                                 19
    ].join('\n');
    const { blocks } = extractBlocks(md, 'fixture.md');
    const files = writeProject(blocks, project.dir);
    const { byBlock, other } = typeCheck(tsc, project.dir, files);
    expect(other).toEqual([]);
    const first = byBlock.get('fixture.md:5') ?? [];
    expect(first).toEqual([
      "fixture.md:3: TS2322 Type 'string' is not assignable to type 'number'.",
      "fixture.md:7: TS2322 Type 'string' is not assignable to type 'number'.",
    ]);
    expect(byBlock.get('fixture.md:9')?.[0]).toMatch(/^fixture\.md:10: TS1109 /);
    expect(byBlock.get('fixture.md:12')?.join('\n')).toMatch(/^fixture\.md:14: TS2\d{3} /);
    expect(byBlock.get('fixture.md:16')).toEqual([]);
  });
});
