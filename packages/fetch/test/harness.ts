import type { AdapterHarness, AppSpec, RunningApp } from '@bulwark/conformance';
import { fetchApp } from './app.js';
import { serveFetch } from './serve.js';

/** Builds the conformance app (see AppSpec) with @bulwark/fetch, served on node through its node bridge. */
export const fetchHarness: AdapterHarness = {
  name: 'fetch',
  start(spec: AppSpec): Promise<RunningApp> {
    return serveFetch(fetchApp(spec), spec.mtls?.tls, spec.mtls?.onServer);
  },
};
