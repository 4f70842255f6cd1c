// Command-line flags as data, and kubectl's connection flags in one table: the CLI builds
// yargs' options, the fast pre-parser, the help line and completion from it
// (src/cli/global-flags.ts), and kubeconfig-overrides.ts applies each flag to the
// kubeconfig field the table names. Adding a connection flag is one entry here (and its
// field in ConnectionFlags, which the compiler then asks for).
import type { ClusterEntry, ConnectionFlags, UserEntry } from './kubeconfig-types.ts';

/** One flag as kubectl spells it. */
export interface FlagSpec {
  /** --name (one letter: -n). */
  name: string;
  /** Another spelling: -s for --server, --verbosity for -v. */
  alias?: string;
  /** `strings`: repeatable, every value kept; `boolean`: bare or =true|false; otherwise the last value wins. */
  type: 'string' | 'strings' | 'boolean' | 'number';
  describe: string;
  default?: string | number;
  /** The values it accepts, offered by completion. */
  choices?: readonly string[];
}

/**
 * What a connection flag replaces in the selected kubeconfig entries: one field of the
 * cluster or the user (and the fields that would compete with it, as client-go clears
 * them), or a group decided together (the cluster's trust, the impersonated identity).
 */
export type Override =
  | { entry: 'cluster'; field: keyof ClusterEntry; clears?: readonly (keyof ClusterEntry)[] }
  | { entry: 'user'; field: keyof UserEntry; clears?: readonly (keyof UserEntry)[] }
  | { group: 'trust' | 'impersonation' };

export interface ConnectionFlagSpec extends FlagSpec {
  /** The field of ConnectionFlags it fills. */
  key: keyof ConnectionFlags;
  overrides: Override;
}

/** kubectl's connection and impersonation flags (`kubectl options`), in kubectl's order. */
const TABLE = [
  // --server drops the kubeconfig's tls-server-name; --tls-server-name (after it) sets one again.
  { name: 'server', alias: 's', key: 'server', type: 'string', describe: 'The address of the API server (kubeconfig not needed)', overrides: { entry: 'cluster', field: 'server', clears: ['tlsServerName'] } },
  { name: 'token', key: 'token', type: 'string', describe: 'Bearer token for the API server', overrides: { entry: 'user', field: 'token', clears: ['tokenFile'] } },
  { name: 'certificate-authority', key: 'certificateAuthority', type: 'string', describe: "Path to the API server's CA certificate file", overrides: { group: 'trust' } },
  { name: 'insecure-skip-tls-verify', key: 'insecureSkipTlsVerify', type: 'boolean', describe: "Do not check the server's certificate (insecure)", overrides: { group: 'trust' } },
  { name: 'tls-server-name', key: 'tlsServerName', type: 'string', describe: "Name to check the server's certificate against (default: the server's host)", overrides: { entry: 'cluster', field: 'tlsServerName' } },
  { name: 'client-certificate', key: 'clientCertificate', type: 'string', describe: 'Path to a client certificate file for TLS', overrides: { entry: 'user', field: 'clientCertificate', clears: ['clientCertificateData'] } },
  { name: 'client-key', key: 'clientKey', type: 'string', describe: 'Path to a client key file for TLS', overrides: { entry: 'user', field: 'clientKey', clears: ['clientKeyData'] } },
  { name: 'username', key: 'username', type: 'string', describe: 'Username for basic authentication', overrides: { entry: 'user', field: 'username' } },
  { name: 'password', key: 'password', type: 'string', describe: 'Password for basic authentication', overrides: { entry: 'user', field: 'password' } },
  { name: 'as', key: 'as', type: 'string', describe: 'Username to impersonate for the operation', overrides: { group: 'impersonation' } },
  { name: 'as-group', key: 'asGroups', type: 'strings', describe: 'Group to impersonate (repeat for several)', overrides: { group: 'impersonation' } },
  { name: 'as-uid', key: 'asUid', type: 'string', describe: 'UID to impersonate for the operation', overrides: { group: 'impersonation' } },
] as const satisfies readonly ConnectionFlagSpec[];
export const CONNECTION_FLAGS: readonly ConnectionFlagSpec[] = TABLE;

/** A compile error here: a field of ConnectionFlags has no flag in the table. */
const _everyFieldHasAFlag: [Exclude<keyof ConnectionFlags, (typeof TABLE)[number]['key']>] extends [never] ? true : false = true;

/** How a flag is written on a command line: --name, or -n for a one-letter name. */
export const flagForm = (name: string): string => (name.length === 1 ? `-${name}` : `--${name}`);

/** Every way to write a flag: its name and its alias. */
export const flagForms = (spec: FlagSpec): string[] => [spec.name, ...(spec.alias ? [spec.alias] : [])].map(flagForm);
