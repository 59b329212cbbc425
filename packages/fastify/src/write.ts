// The writer lives in @bulwark/core/node (one implementation for every node adapter). core's applyAllowed
// writes through it, and writeHeaders prepares a frozen list once by itself.
import { writeHeaders } from '@bulwark/core/node';

export { applyAllowed as applyAllowedDirect, DIRECT_HEADER_WRITES, writeHeaders } from '@bulwark/core/node';
/** A frozen list is its own preparation: writeHeaders checks it once and remembers it. */
export type PreparedHeaders = import('@bulwark/core').HeaderList;
export const prepareHeaders = (list: PreparedHeaders): PreparedHeaders => list;
export const writePrepared = writeHeaders;
