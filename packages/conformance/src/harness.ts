import type { JwtVerifierOptions } from '@bulwark/core';

/**
 * The app every adapter builds for the conformance suite, from the same policies. Routes (each adapter's
 * harness must provide exactly these):
 * - `GET /health` → 200 `{"ok":true}`, no rule.
 * - `GET /me` (when `jwt` is set) → `requireJwt(spec.jwt)`, 200 `{"claims": <verified claims>}`.
 * Each area documents its routes next to its key below.
 */
export interface AppSpec {
  /** Policy of `GET /me`. */
  jwt?: JwtVerifierOptions;
}

/** A server started by a harness on 127.0.0.1:0. */
export interface RunningApp {
  /** Base URL, e.g. `http://127.0.0.1:43121`. */
  readonly url: string;
  close(): Promise<void>;
}

/** How one adapter builds the conformance app. */
export interface AdapterHarness {
  /** Shown in test names, e.g. `express`, `nestjs (fastify)`. */
  readonly name: string;
  start(spec: AppSpec): Promise<RunningApp>;
}
