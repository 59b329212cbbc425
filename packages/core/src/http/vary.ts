/**
 * Merge a Vary value into an existing one without duplicates (`Accept` + `Origin` → `Accept, Origin`).
 *
 * @example
 * res.setHeader('vary', appendVary(res.getHeader('vary'), 'Origin'));
 */
export function appendVary(existing: string | undefined, add: string): string {
  if (existing === undefined || existing === '') return add;
  if (existing.trim() === '*') return '*';
  const have = new Set(existing.split(',').map((s) => s.trim().toLowerCase()));
  const extra = add
    .split(',')
    .map((s) => s.trim())
    .filter((s) => !have.has(s.toLowerCase()));
  return extra.length === 0 ? existing : `${existing}, ${extra.join(', ')}`;
}
