import { request } from 'undici';

/**
 * A minimal cookie-keeping browser over undici: follows redirects, fills the provider's dev login and
 * consent forms. Enough to drive a real OIDC login without a GUI.
 */
export function createBrowser() {
  const jars = new Map(); // origin -> Map(name -> value)
  const jarOf = (url) => {
    const origin = new URL(url).origin;
    if (!jars.has(origin)) jars.set(origin, new Map());
    return jars.get(origin);
  };
  const keep = (url, setCookie) => {
    const jar = jarOf(url);
    for (const line of typeof setCookie === 'string' ? [setCookie] : (setCookie ?? [])) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      if (attrs.some((a) => /^\s*max-age=0$/i.test(a))) jar.delete(name);
      else jar.set(name, pair.slice(eq + 1).trim());
    }
  };
  const cookieHeader = (url) => [...jarOf(url)].map(([k, v]) => `${k}=${v}`).join('; ');

  async function go(url, { method = 'GET', body, account = 'alice', stopAt } = {}) {
    let current = url;
    let form = body;
    let verb = method;
    for (let step = 0; step < 15; step++) {
      if (stopAt !== undefined && current.startsWith(stopAt)) return { url: current, stopped: true };
      const res = await request(current, {
        method: verb,
        headers: {
          cookie: cookieHeader(current),
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(form ? { body: form } : {}),
      });
      keep(current, res.headers['set-cookie']);
      const location = res.headers.location;
      if (res.statusCode >= 300 && res.statusCode < 400 && location) {
        await res.body.dump();
        current = new URL(location, current).href;
        verb = 'GET';
        form = undefined;
        continue;
      }
      const text = await res.body.text();
      if (res.statusCode === 200 && text.includes('<form') && current.includes('/interaction/')) {
        verb = 'POST';
        form = text.includes('name="login"')
          ? new URLSearchParams({ prompt: 'login', login: account, password: 'any' }).toString()
          : new URLSearchParams({ prompt: 'consent' }).toString();
        continue;
      }
      return { url: current, status: res.statusCode, text, headers: res.headers };
    }
    throw new Error('too many redirects');
  }
  return { go, cookieHeader, jarOf };
}
