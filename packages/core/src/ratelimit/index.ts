// The ratelimit area's public exports. The client-IP resolver lives in http/ because mTLS reuses its trust list.
export { createClientIpResolver } from '../http/client-ip.js';
export type { ClientIpResolver, ClientIpResolverOptions } from '../http/client-ip.js';
export { NAMED_RANGES, parseCidr } from '../http/cidr.js';
export type { Cidr } from '../http/cidr.js';
export { formatIp, parseIp } from '../http/ip.js';
export type { IpWords } from '../http/ip.js';
