// `version`: client version always (offline, fast); the server's only with --client=false.
import { BINARY_NAME, PLATFORM, USER_AGENT, VERSION } from '../version.ts';
import { renderData } from './render-data.ts';
import type { GlobalOptions, VerbDeps } from '../verbs/options.ts';

export interface VersionOptions extends GlobalOptions {
  /** Also ask the cluster for its version (--client=false; off by default: `version` works offline). */
  server: boolean;
}

export async function run(options: VersionOptions, deps: VerbDeps): Promise<number> {
  const clientVersion = {
    version: `v${VERSION}`,
    binary: BINARY_NAME,
    userAgent: USER_AGENT,
    runtime: `node ${process.version}`,
    platform: PLATFORM,
  };
  const serverVersion = options.server ? (await (await deps.kube()).serverVersion()).gitVersion : undefined;
  if (options.output === 'text') {
    deps.io.out(`Client Version: ${clientVersion.version}\n`);
    deps.io.out(`Runtime: ${clientVersion.runtime} ${clientVersion.platform}\n`);
    if (serverVersion !== undefined) deps.io.out(`Server Version: ${serverVersion}\n`);
  } else {
    const data = serverVersion === undefined ? { clientVersion } : { clientVersion, serverVersion: { gitVersion: serverVersion } };
    deps.io.out(renderData(data, options.output));
  }
  return 0;
}
