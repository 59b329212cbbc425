import { describeJwtRouteStartup } from '../../core/test/jwt-route-startup.js';
import { createJwtVerifier, requireJwt } from '../src/index.js';

describeJwtRouteStartup('requireJwt', createJwtVerifier, (verifier, route) => requireJwt(verifier, route));
