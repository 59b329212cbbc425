import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import AjvDraft04 from 'ajv-draft-04';
import AjvFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_RULES } from '../src/rules.js';
import { VERSION } from '../src/version.js';
import { reflectingApp } from './apps/web.js';
import { listen, type Running, runCli } from './helpers.js';

let app: Running;
beforeAll(async () => {
  app = await listen(reflectingApp());
});
afterAll(() => app.close());

const require = createRequire(import.meta.url);

describe('--sarif', () => {
  it('is valid against the official SARIF 2.1.0 schema and carries every finding', async () => {
    const schemaPath = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
    const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
    AjvFormats.default(ajv);
    const validate = ajv.compile(schema);

    const sarif = await runCli(['audit', `${app.url}/orders`, '--sarif']);
    const json = await runCli(['audit', `${app.url}/orders`, '--json', '--fail-on', 'none']);
    const log = JSON.parse(sarif.stdout);
    const valid = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);

    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(ALL_RULES.map((r) => r.id));
    expect(run.results.map((r: { ruleId: string }) => r.ruleId).sort()).toEqual(
      JSON.parse(json.stdout)
        .findings.map((f: { id: string }) => f.id)
        .sort(),
    );
    const critical = run.results.find((r: { ruleId: string }) => r.ruleId === 'cors.reflects-any-origin');
    expect(critical.level).toBe('error');
    expect(critical.properties['security-severity']).toBe('9.5');
    expect(critical.locations[0].physicalLocation.artifactLocation.uri).toBe(`${app.url}/orders`);
    // ruleIndex points at the rule itself.
    expect(run.tool.driver.rules[critical.ruleIndex].id).toBe('cors.reflects-any-origin');
    expect(run.invocations[0].executionSuccessful).toBe(true);
    // The default --fail-on high fails on the critical CORS finding.
    expect(sarif.code).toBe(1);
  });

  it('keeps fingerprints stable across runs although probes use random origins', async () => {
    const a = JSON.parse((await runCli(['audit', `${app.url}/orders`, '--sarif'])).stdout);
    const b = JSON.parse((await runCli(['audit', `${app.url}/orders`, '--sarif'])).stdout);
    const prints = (log: { runs: { results: { partialFingerprints: Record<string, string> }[] }[] }) =>
      log.runs[0]!.results.map((r) => r.partialFingerprints['bulwarkAudit/v1']).sort();
    expect(prints(a)).toEqual(prints(b));
    expect(new Set(prints(a)).size).toBe(prints(a).length);
  });
});

describe('text report', () => {
  it('groups by area, shows severity, evidence with the origin tried, and both fixes', async () => {
    const r = await runCli(['audit', `${app.url}/orders`]);
    expect(r.code).toBe(1);
    const out = r.stdout;
    expect(out.indexOf('Security headers (')).toBeLessThan(out.indexOf('CORS ('));
    expect(out).toMatch(
      /^ {2}CRITICAL {2}CORS grants any Origin it is sent {2}\[cors\.reflects-any-origin\]$/m,
    );
    expect(out).toMatch(/^ {13}> origin: https:\/\/bulwark-audit-[a-z0-9]+\.evil\.test$/m);
    expect(out).toMatch(/^ {13}< access-control-allow-credentials: true$/m);
    expect(out).toMatch(
      /^ {11}fix with bulwark: app\.use\(cors\(\{ origins: \['https:\/\/app\.example\.com'\]/m,
    );
    expect(out).toMatch(
      /^ {11}fix without: {6}app\.use\(cors\(\{ origin: \['https:\/\/app\.example\.com'\]/m,
    );
    expect(out).toMatch(/^Summary: 1 critical, 1 high, 3 medium, 5 low \(fails on high and above\)$/m);
    // No ANSI colours when stdout is not a terminal.
    expect(out.includes('\x1b[')).toBe(false);
  });

  it('redacts credentials from --header in the evidence', async () => {
    const r = await runCli([
      'audit',
      `${app.url}/orders`,
      '--header',
      'Cookie: sid=s3cr3t-session-value',
      '--header',
      'X-Api-Key: key-1234567890',
    ]);
    expect(r.stdout).not.toContain('s3cr3t-session-value');
    expect(r.stdout).not.toContain('key-1234567890');
    expect(r.stdout).toMatch(/> cookie: sid=\[redacted\]/);
    expect(r.stdout).toMatch(/> x-api-key: \[redacted, 14 chars\]/);
  });
});

describe('exit code by --fail-on', () => {
  it.each([
    ['critical', 1],
    ['high', 1],
    ['low', 1],
    ['none', 0],
  ])('--fail-on %s → %i', async (failOn, code) => {
    expect((await runCli(['audit', `${app.url}/orders`, '--fail-on', failOn, '--json'])).code).toBe(code);
  });
});

describe('progress line', () => {
  it('is written to stderr on a terminal, overwritten in place and cleared at the end', async () => {
    const r = await runCli(['audit', `${app.url}/orders`, '--json', '--fail-on', 'none'], { tty: true });
    const lines = r.stderr.split('\r\u001b[2K');
    expect(lines[1]).toMatch(/^\[ {2}1\/300\] baseline {2}GET http:\/\/127\.0\.0\.1:\d+\/orders$/);
    expect(r.stderr).toMatch(/\[ {1,2}\d+\/300\] cors {6}OPTIONS /);
    expect(r.stderr.endsWith('\r\x1b[2K')).toBe(true);
    JSON.parse(r.stdout);
  });

  it('is silent when stderr is not a terminal', async () => {
    const r = await runCli(['audit', `${app.url}/orders`, '--json', '--fail-on', 'none']);
    expect(r.stderr).toBe('');
  });
});

it('VERSION matches package.json', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  expect(VERSION).toBe(pkg.version);
  expect(pkg.bin).toEqual({ bulwark: './dist/bin.js' });
});
