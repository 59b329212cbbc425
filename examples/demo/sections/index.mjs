// The tour's sections, in order. Each area adds one line.
import jwt from './jwt.mjs';

export const sections = [jwt];
