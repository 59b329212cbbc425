import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestLike } from '../http/request.js';
import { fromNodeRequest } from '../node/request.js';
import { originRepeated } from './origin.js';
import { createCorsPolicy } from './policy.js';

// The full scan the CORS rule ran on every request before originRepeated skipped it for comma-free values.
function scanned(req: RequestLike): boolean {
  return req.headerValues !== undefined && req.headerValues('origin').length > 1;
}

// Both decisions, taken on requests node's own parser read off a socket (what every node adapter sees).
let server: Server;
let port = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    const like = fromNodeRequest(req);
    const origin = like.header('origin');
    const answer =
      origin === undefined
        ? { absent: true }
        : { old: scanned(like), now: originRepeated(origin, like), origin };
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(answer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** Send one raw HTTP/1.1 request; the JSON answer, or undefined when node refused the head (400). */
function send(
  lines: readonly string[],
): Promise<{ absent?: true; old?: boolean; now?: boolean } | undefined> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      if (!text.startsWith('HTTP/1.1 200')) return resolve(undefined);
      resolve(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)));
    });
    socket.end(
      `GET / HTTP/1.1\r\nHost: x\r\n${lines.map((l) => `${l}\r\n`).join('')}Connection: close\r\n\r\n`,
    );
  });
}

const name = fc.constantFrom('Origin', 'origin', 'ORIGIN', 'oRiGiN');
const value = fc.oneof(
  fc.constantFrom(
    'https://app.example.com',
    'https://evil.example',
    '',
    ' ',
    'null',
    'https://app.example.com, https://evil.example',
    'https://a.example,https://b.example',
    ',',
    ' , ',
  ),
  // Printable ASCII and tabs: anything a field value may hold on the wire (commas included).
  fc.string({ unit: fc.constantFrom(...'ab:/.,; \t*-1'.split('')), maxLength: 20 }),
);
const other = fc.constantFrom(
  'Accept: */*',
  'X-Origin: https://x.example',
  'Origin-Agent-Cluster: ?1',
  'Vary: a, b',
);
const line = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(name, value).map(([n, v]) => `${n}: ${v}`) },
  { weight: 1, arbitrary: other },
);

describe('originRepeated (properties, over requests parsed by node)', () => {
  it('answers what the full scan of the raw headers answers, for every list of header lines', async () => {
    let decided = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 6 }), async (lines) => {
        const answer = await send(lines);
        if (answer === undefined || answer.absent === true) return;
        decided++;
        expect(answer.now).toBe(answer.old);
      }),
      { numRuns: 300 },
    );
    // Most generated lists carry at least one Origin: the property was not vacuous.
    expect(decided).toBeGreaterThan(150);
  });

  it('repeats, case variants and empty repeats are still refused', async () => {
    for (const lines of [
      ['Origin: https://app.example.com', 'origin: https://app.example.com'],
      ['Origin: https://app.example.com', 'ORIGIN:'],
      ['Origin:', 'Origin: https://app.example.com'],
      ['Origin:', 'Origin:'],
    ]) {
      expect(await send(lines)).toEqual(expect.objectContaining({ old: true, now: true }));
    }
  });
});

describe('originRepeated skips the raw scan for a value without a comma', () => {
  const cors = createCorsPolicy({ origins: ['https://app.example.com'] });
  function request(origin: string, repeats: string[]): { req: RequestLike; scans: () => number } {
    let scans = 0;
    const req: RequestLike = {
      method: 'GET',
      url: '/',
      header: (n) => (n === 'origin' ? origin : undefined),
      headerValues: (n) => {
        scans++;
        return n === 'origin' ? repeats : [];
      },
    };
    return { req, scans: () => scans };
  }

  it('decides a single comma-free Origin without reading every header line', () => {
    const one = request('https://app.example.com', ['https://app.example.com']);
    expect(cors.check(one.req).ok).toBe(true);
    expect(one.scans()).toBe(0);
  });

  it('still scans, and refuses, a joined value that came from two lines', () => {
    const two = request('https://app.example.com, https://app.example.com', [
      'https://app.example.com',
      'https://app.example.com',
    ]);
    const verdict = cors.check(two.req);
    expect(verdict.ok && verdict.headers.some(([n]) => n === 'access-control-allow-origin')).toBe(false);
    expect(two.scans()).toBe(1);
  });
});
