/** A tiny in-memory order book, per user. */
export function createOrders() {
  const byUser = new Map();
  return {
    list: (sub) => byUser.get(sub) ?? [],
    add(sub, input) {
      const order = {
        id: crypto.randomUUID(),
        item: String(input?.item ?? 'unknown').slice(0, 100),
        at: new Date().toISOString(),
      };
      byUser.set(sub, [...(byUser.get(sub) ?? []), order]);
      return order;
    },
  };
}
