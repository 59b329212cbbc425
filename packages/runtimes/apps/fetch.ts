// The @bulwark/fetch conformance app, as packages/fetch's own node harness builds it.
export { fetchApp as default } from '../../fetch/test/app.js';
