// workerd (miniflare): a Workers module whose app is built from env once per isolate with fromEnv, as the
// docs tell users to; the spec arrives as the SPEC text binding.
import { fromEnv } from '@bulwark/fetch';
import buildApp from 'bulwark-app';
import { decodeSpec } from '../spec-decode.js';

export default fromEnv((env: { SPEC: string }) => buildApp(decodeSpec(env.SPEC)));
