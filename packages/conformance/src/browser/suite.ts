import { cspHash } from '@bulwark/core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterHarness, RunningApp } from '../harness.js';
import { makeTestKeys } from '../keys.js';
import { jwtSpec } from '../scenarios/jwt.js';
import { countingProxy, type PeerServer, reportCollector, servePage, waitFor } from './servers.js';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Deliver Reporting API reports after ~100 ms instead of batching them for a minute.
  '--short-reporting-delay',
];

const SCRIPT = "document.body.dataset.ran = 'yes';";
const page = (script: string): string =>
  `<!doctype html><html><head><title>csp</title></head><body><p>inline script test</p><script>${script}</script></body></html>`;

type FetchOutcome = { ok: true; status: number; body: string } | { ok: false; error: string };

/** Run `fetch` inside the page and report whether the browser let the page read the response. */
function browserFetch(p: Page, url: string, init: RequestInit): Promise<FetchOutcome> {
  return p.evaluate(
    async ([u, i]) => {
      try {
        const r = await fetch(u, i);
        return { ok: true as const, status: r.status, body: await r.text() };
      } catch (e) {
        return { ok: false as const, error: String(e) };
      }
    },
    [url, init] as const,
  );
}

/**
 * CORS and CSP checked by a real browser (Debian chromium through playwright-core), one browser per file.
 * The page runs on origin A (127.0.0.1:portA); the API under test is origin B (localhost:portB, through a
 * counting proxy so the test sees preflights).
 */
export function defineBrowserSuite(harness: AdapterHarness): void {
  // Generous timeouts: chromium on a loaded 2-core machine takes seconds per navigation.
  describe(`${harness.name}: CORS and CSP in chromium`, { timeout: 60_000 }, () => {
    let browser: Browser;
    const peers: PeerServer[] = [];
    const apps: RunningApp[] = [];
    let pageA: PeerServer;
    let other: PeerServer;
    let proxy: Awaited<ReturnType<typeof countingProxy>>;
    let bareProxy: PeerServer;
    let collector: Awaited<ReturnType<typeof reportCollector>>;
    let cspUri: RunningApp;
    let cspTo: RunningApp;
    let frameHtml = '';
    let api = '';

    beforeAll(async () => {
      const jwt = jwtSpec(await makeTestKeys());
      pageA = await servePage(() => frameHtml);
      other = await servePage(() => '<!doctype html><title>other</title>');
      collector = await reportCollector();
      peers.push(pageA, other, collector);
      const hash = await cspHash(SCRIPT);
      const pages = { hashed: page(SCRIPT), modified: page(`${SCRIPT} window.tampered = 1;`) };
      const [corsApp, bare, uriApp, toApp] = await Promise.all([
        harness.start({
          jwt,
          headers: {},
          cors: {
            origins: [`http://127.0.0.1:${pageA.port}`],
            credentials: true,
            allowedHeaders: ['content-type'],
            // `patch` as a page writes it: the Fetch standard does not upper-case PATCH.
            methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'patch'],
          },
        }),
        harness.start({ jwt }),
        harness.start({
          jwt,
          pages,
          headers: {
            csp: {
              directives: { defaultSrc: ["'none'"], scriptSrc: [hash] },
              reportUri: `http://127.0.0.1:${collector.port}/csp-uri`,
            },
          },
        }),
        harness.start({
          jwt,
          pages,
          headers: {
            reportingEndpoints: { csp: `http://127.0.0.1:${collector.port}/reporting-api` },
            csp: { directives: { defaultSrc: ["'none'"], scriptSrc: [hash] }, reportTo: 'csp' },
          },
        }),
      ]);
      apps.push(corsApp!, bare!, uriApp!, toApp!);
      cspUri = uriApp!;
      cspTo = toApp!;
      proxy = await countingProxy(corsApp!.url);
      bareProxy = await countingProxy(bare!.url);
      peers.push(proxy, bareProxy);
      api = `http://localhost:${proxy.port}`;
      frameHtml = `<!doctype html><title>frames</title>
        <iframe name="api" src="${api}/health"></iframe>
        <iframe name="bare" src="http://localhost:${bareProxy.port}/health"></iframe>`;
      browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: CHROMIUM_ARGS,
      });
    });

    afterAll(async () => {
      await browser?.close();
      await Promise.all([...apps.map((a) => a.close()), ...peers.map((p) => p.close())]);
    });

    async function open(url: string): Promise<Page> {
      const p = await browser.newPage();
      await p.goto(url, { waitUntil: 'load' });
      return p;
    }

    it('lets the allowed origin make a credentialed fetch and read the body', async () => {
      const p = await open(`http://127.0.0.1:${pageA.port}/`);
      const r = await browserFetch(p, `${api}/api/data`, { credentials: 'include' });
      expect(r).toEqual({ ok: true, status: 200, body: '{"data":"secret"}' });
      await p.close();
    });

    it('blocks the same fetch from another origin', async () => {
      const p = await open(`http://127.0.0.1:${other.port}/`);
      const before = proxy.count('GET');
      const r = await browserFetch(p, `${api}/api/data`, { credentials: 'include' });
      expect(r.ok).toBe(false);
      // The request went out (a simple GET is not preflighted); the browser refused to expose the answer.
      expect(proxy.count('GET')).toBe(before + 1);
      await p.close();
    });

    it('fails the preflight for a header outside the allowlist, so the PUT is never sent', async () => {
      const p = await open(`http://127.0.0.1:${pageA.port}/`);
      const [options, puts] = [proxy.count('OPTIONS'), proxy.count('PUT')];
      const r = await browserFetch(p, `${api}/api/data?case=custom-header`, {
        method: 'PUT',
        credentials: 'include',
        headers: { 'x-custom': '1' },
      });
      expect(r.ok).toBe(false);
      expect(proxy.count('OPTIONS')).toBe(options + 1);
      expect(proxy.count('PUT')).toBe(puts);
      await p.close();
    });

    it('caches a granted preflight for Max-Age: the second PUT is sent without one', async () => {
      const p = await open(`http://127.0.0.1:${pageA.port}/`);
      const init = {
        method: 'PUT',
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      } as const;
      const options = proxy.count('OPTIONS');
      expect(await browserFetch(p, `${api}/api/data?case=cache`, init)).toEqual({
        ok: true,
        status: 200,
        body: '{"updated":true}',
      });
      expect(proxy.count('OPTIONS')).toBe(options + 1);
      expect(await browserFetch(p, `${api}/api/data?case=cache`, init)).toMatchObject({
        ok: true,
        status: 200,
      });
      expect(proxy.count('OPTIONS')).toBe(options + 1);
      expect(proxy.count('PUT')).toBeGreaterThanOrEqual(2);
      await p.close();
    });

    it('passes the preflight of a custom method in the exact case the page wrote it (patch), not another', async () => {
      const p = await open(`http://127.0.0.1:${pageA.port}/`);
      const options = proxy.count('OPTIONS');
      const [lower, upper] = [proxy.count('patch'), proxy.count('PATCH')];
      // fetch() sends `patch` as written (only DELETE, GET, HEAD, OPTIONS, POST and PUT are normalised), and
      // compares it byte for byte with Access-Control-Allow-Methods. Node cannot serve a lowercase method,
      // so the proof is that chromium sent it after the preflight (the proxy counts it, from the raw bytes).
      await browserFetch(p, `${api}/api/data?case=method-lower`, { method: 'patch', credentials: 'include' });
      expect(await waitFor(() => proxy.count('patch') === lower + 1, 10_000)).toBe(true);
      // PATCH is another method: its preflight is refused, and the browser never sends it.
      const r = await browserFetch(p, `${api}/api/data?case=method-upper`, {
        method: 'PATCH',
        credentials: 'include',
      });
      expect(r.ok).toBe(false);
      expect(proxy.count('OPTIONS')).toBe(options + 2);
      expect(proxy.count('PATCH')).toBe(upper);
      await p.close();
    });

    it('runs an inline script whose hash is in the CSP', async () => {
      const p = await open(`${cspUri.url}/pages/hashed`);
      expect(await p.evaluate(() => document.body.dataset.ran)).toBe('yes');
      await p.close();
    });

    it('blocks a modified inline script and posts the violation to report-uri', async () => {
      const p = await open(`${cspUri.url}/pages/modified`);
      expect(await p.evaluate(() => document.body.dataset.ran)).toBeUndefined();
      expect(await waitFor(() => collector.reports.some((r) => r.path === '/csp-uri'), 10_000)).toBe(true);
      const report = collector.reports.find((r) => r.path === '/csp-uri')!;
      expect(report.contentType).toBe('application/csp-report');
      const body = JSON.parse(report.body) as { 'csp-report': Record<string, string> };
      expect(body['csp-report']['effective-directive']).toMatch(/^script-src/);
      expect(body['csp-report']['document-uri']).toBe(`${cspUri.url}/pages/modified`);
      await p.close();
    });

    it('queues the violation for the Reporting-Endpoints endpoint named by report-to', async () => {
      // Headless chromium queues Reporting API reports but its uploads to a plain-http loopback endpoint
      // never complete (queued/pending loop), so the browser's own reporting queue is read over CDP.
      const p = await browser.newPage();
      const cdp = await p.context().newCDPSession(p);
      const queued: { type: string; destination: string; body: Record<string, unknown> }[] = [];
      cdp.on('Network.reportingApiReportAdded', (e) => queued.push(e.report));
      await cdp.send('Network.enable');
      await cdp.send('Network.enableReportingApi', { enable: true });
      await p.goto(`${cspTo.url}/pages/modified`, { waitUntil: 'load' });
      expect(await p.evaluate(() => document.body.dataset.ran)).toBeUndefined();
      expect(await waitFor(() => queued.some((r) => r.type === 'csp-violation'), 10_000)).toBe(true);
      const report = queued.find((r) => r.type === 'csp-violation')!;
      expect(report.destination).toBe('csp');
      expect(String(report.body.effectiveDirective)).toMatch(/^script-src/);
      expect(report.body.documentURL).toBe(`${cspTo.url}/pages/modified`);
      await p.close();
    });

    it('refuses to be framed by another origin with the default API headers', async () => {
      const p = await open(`http://127.0.0.1:${pageA.port}/`);
      const bare = p.frame({ name: 'bare' })!;
      // Control: the same route of an app without securityHeaders() renders inside the frame.
      expect(await bare.evaluate(() => document.body.textContent)).toContain('"ok":true');
      const framed = p.frame({ name: 'api' })!;
      expect(framed.url()).not.toBe(`${api}/health`);
      expect(framed.url()).toMatch(/^chrome-error:/);
      await p.close();
    });
  });
}
