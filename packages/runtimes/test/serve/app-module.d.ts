// The app a runtime bundle serves: esbuild aliases `bulwark-app` to one of packages/runtimes/apps/*.ts.
declare module 'bulwark-app' {
  const buildApp: (spec: never) => (request: Request, runtime?: unknown, ctx?: unknown) => Promise<Response>;
  export default buildApp;
}
