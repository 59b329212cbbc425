import { Redis } from 'ioredis';
import { REDIS_CLIENT_OPTIONS } from '../src/index.js';

/** The shared test server; never stopped or flushed by these tests. */
export const REDIS_URL: string = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix unique to this run, so runs and files never see each other's keys. */
export function runPrefix(label: string): string {
  return `bwtest:${label}:${process.pid}:${Date.now().toString(36)}`;
}

/** A client with the options we recommend, connected before use (no offline queue). */
export async function connect(url: string = REDIS_URL): Promise<Redis> {
  const client = new Redis(url, { ...REDIS_CLIENT_OPTIONS, lazyConnect: true });
  await client.connect();
  return client;
}
