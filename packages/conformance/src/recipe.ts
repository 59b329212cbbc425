/** How a built rule was made: the factory's name and the options it was given. */
export interface Recipe {
  readonly factory: string;
  readonly options: unknown;
}

const recipes = new WeakMap<object, Recipe>();

/**
 * Build a rule and remember how, so a harness that serves the app in another runtime (Bun, Deno, workerd)
 * can build the same rule there from the same options. Rules made without it (a verifier the test later
 * revokes through) only exist in the test's own process.
 *
 * @example
 * const client = built('createOidcClient', createOidcClient, { issuer, clientId, clientSecret, redirectUri });
 */
export function built<O, R extends object>(factory: string, create: (options: O) => R, options: O): R {
  const rule = create(options);
  recipes.set(rule, { factory, options });
  return rule;
}

/**
 * The recipe of a rule made with {@link built}, if it was.
 *
 * @example
 * recipeOf(spec.oauth.login) // { factory: 'createOidcLogin', options: { client, secret } }
 */
export function recipeOf(value: object): Recipe | undefined {
  return recipes.get(value);
}
