/**
 * A tiny payment ledger fed by the payments webhook. `record` counts how often each event reached the
 * handler, so the tour can show that a replayed delivery never does.
 */
export function createPaymentLedger() {
  const seen = new Map();
  return {
    record(eventId, event) {
      const times = (seen.get(eventId) ?? 0) + 1;
      seen.set(eventId, times);
      return { processed: eventId, type: String(event?.type ?? 'unknown').slice(0, 100), times };
    },
  };
}
