import { request } from 'undici';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): unknown;
}

/**
 * One HTTP request over a real socket. `headers` may be a flat [name, value, name, value…] list so a
 * scenario can send a header twice.
 */
export async function call(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string> | string[]; body?: string | Uint8Array } = {},
): Promise<HttpResult> {
  const res = await request(new URL(path, base), {
    method: (init.method ?? 'GET') as 'GET',
    headers: init.headers ?? {},
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers as Record<string, string | string[] | undefined>,
    text,
    json: () => JSON.parse(text),
  };
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
