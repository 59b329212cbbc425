import { ServerResponse } from 'node:http';

/**
 * Put a probe at the bottom of `ServerResponse.prototype.writeHead`, before anything installs a hook above it
 * (call it at the top of a test file, before any response is kept): it records the stack each head is
 * written with, so a test can count the wrappers between the code that wrote the head and node.
 *
 * @example
 * const probe = probeWriteHead();
 * // … a handler named writeTheHead calls res.writeHead(200) …
 * expect(probe.wrappersBelow('writeTheHead')).toBe(1);
 */
export function probeWriteHead(): { wrappersBelow(caller: string): number } {
  const nodeWriteHead = ServerResponse.prototype.writeHead;
  let lastStack = '';
  ServerResponse.prototype.writeHead = function probe(this: ServerResponse, ...args: unknown[]) {
    lastStack = new Error().stack ?? '';
    return (nodeWriteHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
  return {
    // Frames between the probe and the caller ("Error" and the probe's own frame first): the wrappers.
    wrappersBelow: (caller) =>
      lastStack
        .split('\n')
        .slice(2)
        .findIndex((f) => f.includes(caller)),
  };
}
