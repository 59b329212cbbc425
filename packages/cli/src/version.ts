/** The CLI's version, sent in the User-Agent and every report (kept equal to package.json by a test). */
export const VERSION = '0.1.0';
