// The plugin's version. Kept as a literal (not read from package.json at run time) so
// that the bundle needs no file beside it; a unit test checks it matches package.json.
import { isSea } from 'node:sea';

export const VERSION = '0.1.0';

/** Name used in the User-Agent and in `version` output. */
export const BINARY_NAME = 'kubectl-kapsule_ha';

const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

/** linux/amd64, as kubectl and Go name platforms. */
export const PLATFORM = `${process.platform}/${GOARCH[process.arch] ?? process.arch}`;

/**
 * How this copy runs: `sea` for the single executable users install, `node` for a script
 * run by a Node.js binary (the source, in development). Audit logs tell them apart.
 */
export const FLAVOUR = isSea() ? 'sea' : 'node';

/** As kubectl's `kubectl/v1.35.4 (linux/amd64) kubernetes/<commit>`. */
export const USER_AGENT = `${BINARY_NAME}/${VERSION} (${PLATFORM}) ${FLAVOUR}`;

/**
 * Where the release workflow pushes the guard's image (tagged v<VERSION>); the guard runs
 * `<IMAGE_REPOSITORY>:v<VERSION>` unless --image names a mirror. The workflow reads this line
 * (and refuses the placeholder `owner`, as plugin.yaml's OWNER waits for the project's home).
 */
export const IMAGE_REPOSITORY = 'ghcr.io/owner/kubectl-kapsule-ha';
export const DEFAULT_IMAGE = `${IMAGE_REPOSITORY}:v${VERSION}`;
