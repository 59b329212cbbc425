import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, issueTestLeaf } from '../../core/test/mtls/pki.js';
import { APP_ORIGIN, hardenedApp, reflectingApp, regexApp, suffixApp } from './apps/web.js';
import { auditJson, listen, type Running, runCli } from './helpers.js';

const servers: Running[] = [];
const start = async (...args: Parameters<typeof listen>) => {
  const s = await listen(...args);
  servers.push(s);
  return s;
};
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('express + cors({ origin: true, credentials: true }) without helmet', () => {
  let report: Awaited<ReturnType<typeof auditJson>>;
  beforeAll(async () => {
    const app = await start(reflectingApp());
    report = await auditJson([`${app.url}/orders`]);
  });

  it('finds the reflected origin with credentials as critical, naming the origin it tried', () => {
    const f = report.findings.find((x) => x.id === 'cors.reflects-any-origin');
    expect(f?.severity).toBe('critical');
    expect(f?.detail).toMatch(
      /Origin https:\/\/bulwark-audit-[a-z0-9]+\.evil\.test was granted with Access-Control-Allow-Credentials/,
    );
    expect(f?.evidence[0]?.request).toMatch(/^origin: https:\/\/bulwark-audit-/m);
    expect(f?.evidence[0]?.response).toMatch(/^access-control-allow-credentials: true$/m);
  });

  it('finds the null origin, reflected headers and the Max-Age above every browser cap', () => {
    expect(report.ids('cors')).toEqual(
      expect.arrayContaining(['cors.null-origin', 'cors.broad-headers', 'cors.max-age-over-cap']),
    );
    expect(report.findings.find((f) => f.id === 'cors.null-origin')?.severity).toBe('high');
    expect(report.findings.find((f) => f.id === 'cors.broad-headers')?.detail).toMatch(
      /x-bulwark-audit-\w+ was echoed/,
    );
  });

  it('does not report Vary: Origin as missing (the cors package sends it) nor wildcard+credentials', () => {
    expect(report.ids('cors')).not.toContain('cors.vary-missing');
    expect(report.ids('cors')).not.toContain('cors.wildcard-credentials');
  });

  it('finds every missing security header and the X-Powered-By leak', () => {
    expect(report.ids('headers')).toEqual([
      'headers.csp-missing',
      'headers.frameable',
      'headers.nosniff-missing',
      'headers.permissions-policy',
      'headers.referrer-policy',
      'headers.technology-leak',
    ]);
    expect(report.findings.find((f) => f.id === 'headers.technology-leak')?.detail).toBe(
      'X-Powered-By: Express',
    );
    // HSTS cannot be judged over http:// on this machine: said, not silently skipped.
    expect(report.notChecked.some((n) => n.area === 'headers' && /HSTS/.test(n.what))).toBe(true);
  });
});

describe('look-alike origins', () => {
  it('finds a suffix check (evilexample.com, appxexample.com) and nothing the check refuses', async () => {
    const app = await start(suffixApp());
    const r = await auditJson([`${app.url}/orders`, '--origin', APP_ORIGIN]);
    const granted = r.findings.filter((f) => f.id === 'cors.lookalike-origin').map((f) => f.detail);
    // endsWith('example.com') grants both registrable look-alikes, not the prefix one.
    expect(granted.map((d) => d.split(' ')[1]).sort()).toEqual([
      'https://appxexample.com',
      'https://evilexample.com',
    ]);
    expect(granted.find((d) => d.includes('evilexample'))).toMatch(
      /\(suffix example\.com without the dot of https:\/\/app\.example\.com\) was granted with credentials$/,
    );
    expect(r.ids('cors')).not.toContain('cors.reflects-any-origin');
    expect(r.ids('cors')).not.toContain('cors.null-origin');
    // helmet's defaults cover the headers area except Permissions-Policy; express's own 404 page
    // replaces helmet's CSP with one that has no frame-ancestors (X-Frame-Options still covers it).
    expect(r.ids('headers')).toEqual(['headers.csp-no-frame-ancestors', 'headers.permissions-policy']);
    expect(r.findings.find((f) => f.id === 'headers.csp-no-frame-ancestors')?.detail).toMatch(
      /^on a 404 response: /,
    );
  });

  it('finds an unanchored, unescaped regex (prefix and dot look-alikes) and the null origin', async () => {
    const app = await start(regexApp());
    const r = await auditJson([`${app.url}/orders`, '--origin', APP_ORIGIN]);
    const tried = r.findings
      .filter((f) => f.id === 'cors.lookalike-origin')
      .map((f) => f.detail.split(' ')[1]);
    expect(tried.sort()).toEqual(['https://app.example.com.evil.test', 'https://appxexample.com']);
    expect(r.ids('cors')).toContain('cors.null-origin');
    expect(r.ids('cors')).not.toContain('cors.insecure-origin');
    expect(r.ids('headers')).toEqual(
      expect.arrayContaining(['headers.csp-unsafe-inline', 'headers.frameable']),
    );
  });
});

describe('hardened twin (@bulwark/express)', () => {
  it('has no CORS finding and no header finding above low, with the trusted origin granted', async () => {
    const app = await start(hardenedApp());
    const r = await auditJson([`${app.url}/orders`, '--origin', APP_ORIGIN]);
    expect(r.findings.filter((f) => f.area === 'cors')).toEqual([]);
    expect(r.findings.filter((f) => f.severity !== 'low' && f.severity !== 'info')).toEqual([]);
    // Its 404 (express's final handler) keeps the policy's CSP, frame-ancestors included.
    expect(r.ids('headers')).not.toContain('headers.csp-no-frame-ancestors');
    expect(r.notChecked.filter((n) => n.area === 'cors').map((n) => n.why)).toEqual([]);
    expect(r.complete).toBe(true);
  });
});

describe('HTTPS targets: HSTS', () => {
  it('judges HSTS over a real TLS handshake with the CA given by --ca', async () => {
    const ca = await createTestCa();
    const leaf = await issueTestLeaf(ca, { server: true });
    const weak = await start(regexApp(), { key: leaf.keyPem, cert: leaf.certPem });
    const good = await start(hardenedApp(), { key: leaf.keyPem, cert: leaf.certPem });
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync(`${(await import('node:os')).tmpdir()}/bulwark-audit-`);
    writeFileSync(`${dir}/ca.pem`, ca.certPem);
    const r = await auditJson([`${weak.url}/orders`, '--ca', `${dir}/ca.pem`]);
    expect(r.ids('headers')).toEqual(
      expect.arrayContaining([
        'headers.hsts-short',
        'headers.hsts-no-subdomains',
        'headers.hsts-preload-invalid',
      ]),
    );
    // express's res.cookie() sets no Secure, HttpOnly or SameSite: over HTTPS the missing Secure is medium.
    expect(r.findings.find((f) => f.id === 'headers.cookie-flags')).toMatchObject({
      severity: 'medium',
      detail: 'sid without Secure',
    });
    expect(r.findings.find((f) => f.id === 'headers.cookie-flags')?.evidence[0]?.response).toMatch(
      /^set-cookie: sid=\[redacted\]; Path=\/$/m,
    );
    const g = await auditJson([`${good.url}/orders`, '--ca', `${dir}/ca.pem`]);
    expect(
      g.ids('headers').filter((id) => id.startsWith('headers.hsts') || id === 'headers.cookie-flags'),
    ).toEqual([]);
    // Without --ca the self-signed chain is refused with a clear message and exit 3.
    const refused = await runCli(['audit', `${weak.url}/orders`]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(
      /^error: GET https:\/\/127\.0\.0\.1:\d+\/orders: the TLS certificate is not trusted .*--ca <file\.pem>/m,
    );
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  });
});
