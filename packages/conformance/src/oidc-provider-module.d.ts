// oidc-provider ships no type declarations; the tests only need this much.
declare module 'oidc-provider' {
  export default class Provider {
    // biome-ignore lint/suspicious/noExplicitAny: the provider's configuration object is large and untyped here.
    constructor(issuer: string, configuration: any);
    callback(): (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;
    // biome-ignore lint/suspicious/noExplicitAny: only used by tests.
    readonly [member: string]: any;
  }
}
