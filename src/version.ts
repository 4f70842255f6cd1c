// The plugin's version. Kept as a literal (not read from package.json at run time) so
// that the bundle needs no file beside it; a unit test checks it matches package.json.
export const VERSION = '0.1.0';

/** Name used in the User-Agent and in `version` output. */
export const BINARY_NAME = 'kubectl-kapsule_ha';

export const USER_AGENT = `${BINARY_NAME}/${VERSION}`;
