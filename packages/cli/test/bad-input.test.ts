import { once } from 'node:events';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { listen, type Running, runCli } from './helpers.js';

const servers: Running[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** A raw TCP server that answers every connection with `onConnect`. */
async function tcp(onConnect: (socket: Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createTcpServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    onConnect(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A failure is one clear `error:` line, exit 3, and never a stack trace. */
function expectClearFailure(result: { code: number; stdout: string; stderr: string }, message: RegExp) {
  expect(result.code).toBe(3);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at .+:\d+/);
  expect(result.stderr).not.toMatch(/Error:|TypeError|node:internal/);
  expect(result.stdout).toBe('');
}

describe('a URL that cannot be audited', () => {
  it('unreachable: connection refused', async () => {
    const gone = await tcp(() => {});
    await gone.close();
    const r = await runCli(['audit', `http://127.0.0.1:${gone.port}/`]);
    expectClearFailure(
      r,
      /^error: GET http:\/\/127\.0\.0\.1:\d+\/: connection refused \(nothing listens there\)\nNothing was audited\.\n$/,
    );
  });

  it('unresolvable host name', async () => {
    const r = await runCli(['audit', 'http://bulwark-audit-does-not-exist.invalid/']);
    expectClearFailure(r, /the host name bulwark-audit-does-not-exist\.invalid does not resolve/);
  });

  it('a non-HTTP port that sends garbage', async () => {
    const garbage = await tcp((s) => s.end('SSH-2.0-OpenSSH_9.6\r\n\0\0\x01garbage'));
    const r = await runCli(['audit', `http://127.0.0.1:${garbage.port}/`]);
    await garbage.close();
    expectClearFailure(
      r,
      /the server's answer is not HTTP \(HPE_[A-Z_]+\); is it a TLS port \(use https:\/\/\) or another protocol\?/,
    );
  });

  it('a port that accepts and closes without a word', async () => {
    const mute = await tcp((s) => s.destroy());
    const r = await runCli(['audit', `http://127.0.0.1:${mute.port}/`]);
    await mute.close();
    expectClearFailure(r, /connection was closed before a complete HTTP response/);
  });

  it('https:// to a plain-HTTP port', async () => {
    const plain = await listen((_req, res) => res.end('ok'));
    servers.push(plain);
    const r = await runCli(['audit', `https://127.0.0.1:${plain.port}/`]);
    expectClearFailure(r, /the TLS handshake failed \([A-Z_]+\); is the port serving plain HTTP/);
  });

  it('a slow server: no complete response within --timeout-ms', async () => {
    const slow = await tcp((s) => {
      // Headers, then a body that trickles forever.
      s.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n');
      const t = setInterval(() => s.writable && s.write('1\r\nx\r\n'), 100);
      s.on('close', () => clearInterval(t));
    });
    const r = await runCli(['audit', `http://127.0.0.1:${slow.port}/`, '--timeout-ms', '600']);
    await slow.close();
    expectClearFailure(
      r,
      /^error: GET http:\/\/127\.0\.0\.1:\d+\/: no complete response within 600 ms \(--timeout-ms\)/,
    );
  });

  it('a redirect to another host is not followed without --allow-host', async () => {
    const other = await listen((_req, res) => res.end('other'));
    const redirecting = await listen((_req, res) => {
      res.writeHead(302, { location: `http://localhost:${other.port}/landing` }).end();
    });
    servers.push(other, redirecting);
    const r = await runCli(['audit', `${redirecting.url}/`]);
    expectClearFailure(
      r,
      new RegExp(
        `redirects \\(302\\) to http://localhost:${other.port}/landing, another host; not followed\\. Audit that URL directly, or add --allow-host localhost`,
      ),
    );
    // Named, it is followed and audited.
    const allowed = await runCli([
      'audit',
      `${redirecting.url}/`,
      '--allow-host',
      'localhost',
      '--json',
      '--fail-on',
      'none',
    ]);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout).targets[0].url).toBe(`http://localhost:${other.port}/landing`);
  });

  it('same-host redirects are followed', async () => {
    const app = await listen((req, res) => {
      if (req.url === '/') res.writeHead(301, { location: '/home' }).end();
      else res.end('home');
    });
    servers.push(app);
    const r = await runCli(['audit', `${app.url}/`, '--json', '--fail-on', 'none']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).targets[0]).toMatchObject({ url: `${app.url}/home`, status: 200 });
  });
});

describe('responses the audit caps', () => {
  it('a huge body is cut at --max-body-bytes: the report says so and the exit is 3 (incomplete)', async () => {
    let sent = 0;
    const huge = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = () => {
        while (sent < 512 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => {
        sent = Number.POSITIVE_INFINITY;
      });
      pump();
    });
    servers.push(huge);
    const r = await runCli([
      'audit',
      `${huge.url}/`,
      '--max-body-bytes',
      '65536',
      '--json',
      '--fail-on',
      'none',
    ]);
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout);
    expect(report.complete).toBe(false);
    expect(report.warnings[0]).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/: the body exceeded 65536 bytes \(--max-body-bytes\); read stopped at the cap$/,
    );
    expect(r.stderr).toMatch(/^bulwark audit: incomplete: \d+ probe\(s\) did not finish/m);
    // The headers were still judged.
    expect(report.findings.some((f: { id: string }) => f.id === 'headers.csp-missing')).toBe(true);
  });

  it('the total request cap stops the audit and says which area it cut', async () => {
    const app = await listen((_req, res) => res.end('ok'));
    servers.push(app);
    const r = await runCli(['audit', `${app.url}/`, '--max-requests', '4', '--json', '--fail-on', 'none']);
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout);
    expect(report.requests).toBe(4);
    expect(report.warnings).toContainEqual(
      expect.stringMatching(/^cors: stopped early: the request cap \(4, --max-requests\) is reached/),
    );
  });
});

describe('bad command lines: exit 2 with the flag named', () => {
  it.each([
    [['audit'], /needs at least one URL/],
    [['audit', 'ftp://example.com/'], /only http:\/\/ and https:\/\/ URLs/],
    [['audit', 'not a url'], /is not an absolute URL/],
    [['audit', 'https://u:p@example.com/'], /put credentials in --header/],
    [['audit', 'http://127.0.0.1/', '--fail-on', 'severe'], /--fail-on must be one of/],
    [['audit', 'http://127.0.0.1/', '--json', '--sarif'], /exclusive/],
    [
      ['audit', 'http://127.0.0.1/', '--max-requests', '100000'],
      /--max-requests must be an integer from 1 to 2000/,
    ],
    [
      ['audit', 'http://127.0.0.1/', '--probe-rate-limit', '5000'],
      /--probe-rate-limit must be an integer from 1 to 1000/,
    ],
    [['audit', 'http://127.0.0.1/', '--origin', 'https://app.example.com/path'], /--origin takes an origin/],
    [['audit', 'http://127.0.0.1/', '--header', 'no colon'], /--header must look like "Name: value"/],
    [['audit', 'http://127.0.0.1/', '--token', 'abc'], /--token must be a compact JWT/],
    [['audit', 'http://127.0.0.1/', '--webhook-body', 'x'], /go together/],
    [
      ['audit', 'http://127.0.0.1/', '--ca', '/nonexistent/ca.pem'],
      /--ca: cannot read \/nonexistent\/ca\.pem \(ENOENT\)/,
    ],
    [['audit', 'http://127.0.0.1/', '--bogus'], /Unknown option '--bogus'/],
    [['scan', 'http://127.0.0.1/'], /unknown command "scan"/],
  ])('%j', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--help prints the usage and exits 0; no arguments prints it and exits 2', async () => {
    const help = await runCli(['audit', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: bulwark audit <url>/);
    expect((await runCli([])).code).toBe(2);
  });
});
