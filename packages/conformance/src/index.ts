export { defineAdapterSuite } from './suite.js';
export type { AdapterHarness, AppSpec, RunningApp } from './harness.js';
export { bearer, call } from './http.js';
export type { HttpResult } from './http.js';
export { AUDIENCE, ISSUER, makeTestKeys, mint } from './keys.js';
export type { MintOptions, TestKeys } from './keys.js';
export { jwtSpec } from './scenarios/jwt.js';
