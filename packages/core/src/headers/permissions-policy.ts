import { ConfigError } from '../errors.js';

/**
 * Allowlist of one feature: `[]` disables it everywhere, `'self'` allows this origin, `'*'` any origin,
 * and `https://…` origins are allowed by name.
 */
export type PermissionsAllowlist = readonly ('self' | "'self'" | '*' | (string & {}))[];

/** Permissions-Policy as feature → allowlist, e.g. `{ camera: [], fullscreen: ['self'] }`. */
export type PermissionsPolicy = Readonly<Record<string, PermissionsAllowlist>>;

/**
 * The `api` preset's Permissions-Policy: camera, geolocation and microphone off (the OWASP HTTP Headers Cheat
 * Sheet's example). Browsers apply a Permissions-Policy to documents only, never to a JSON response, so the
 * API default names the features a misrouted HTML response could be turned against, in 45 bytes rather than
 * the ~400 of {@link DEFAULT_PERMISSIONS_POLICY}, which is sent on every response.
 */
export const API_PERMISSIONS_POLICY: PermissionsPolicy = Object.freeze({
  camera: [],
  geolocation: [],
  microphone: [],
});

/** Powerful features most apps never need, all disabled: the `web` preset's default. */
export const DEFAULT_PERMISSIONS_POLICY: PermissionsPolicy = Object.freeze({
  accelerometer: [],
  autoplay: [],
  camera: [],
  'display-capture': [],
  'encrypted-media': [],
  fullscreen: [],
  geolocation: [],
  gyroscope: [],
  hid: [],
  'idle-detection': [],
  magnetometer: [],
  microphone: [],
  midi: [],
  payment: [],
  'picture-in-picture': [],
  'publickey-credentials-get': [],
  'screen-wake-lock': [],
  serial: [],
  usb: [],
  'xr-spatial-tracking': [],
});

const FEATURE = /^[a-z][a-z0-9-]*$/;
const ORIGIN = /^https?:\/\/(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

/**
 * Serialise a Permissions-Policy in its structured-field dictionary form: `camera=(), fullscreen=(self "https://a.example")`.
 * The legacy `camera 'none'` / `camera=none` forms are refused: browsers ignore them silently.
 *
 * @example
 * serializePermissionsPolicy({ camera: [], fullscreen: ['self'] }, 'permissionsPolicy') // 'camera=(), fullscreen=(self)'
 */
export function serializePermissionsPolicy(policy: PermissionsPolicy, path: string): string {
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) {
    throw new ConfigError(
      path,
      'must be an object of feature → allowlist',
      "e.g. { camera: [], fullscreen: ['self'] }",
    );
  }
  const items: string[] = [];
  for (const [feature, list] of Object.entries(policy) as [string, unknown][]) {
    const p = `${path}.${feature}`;
    if (!FEATURE.test(feature))
      throw new ConfigError(
        p,
        `'${feature}' is not a feature name`,
        'use the lowercase feature name, e.g. camera',
      );
    if (!Array.isArray(list)) {
      const hint =
        list === 'none' || list === "'none'" || list === '()'
          ? 'write [] to disable the feature'
          : "use a list, e.g. ['self']";
      throw new ConfigError(p, `must be a list, got ${JSON.stringify(list)}`, hint);
    }
    const members: string[] = [];
    for (const entry of list) {
      if (entry === 'self' || entry === "'self'") members.push('self');
      else if (entry === '*') {
        if (list.length > 1) throw new ConfigError(p, "'*' already allows every origin", "use '*' alone");
        members.push('*');
      } else if (entry === 'none' || entry === "'none'") {
        throw new ConfigError(
          p,
          "'none' is not a Permissions-Policy member",
          'write [] to disable the feature',
        );
      } else if (typeof entry === 'string' && ORIGIN.test(entry)) members.push(`"${entry}"`);
      else
        throw new ConfigError(
          p,
          `${JSON.stringify(entry)} is not 'self', '*' or an origin`,
          "e.g. 'https://maps.example.com' (no path, no trailing slash)",
        );
    }
    items.push(
      members.length === 1 && members[0] === '*' ? `${feature}=*` : `${feature}=(${members.join(' ')})`,
    );
  }
  return items.join(', ');
}
