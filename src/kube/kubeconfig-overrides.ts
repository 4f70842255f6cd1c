// kubectl's connection flags over the selected kubeconfig entries, with client-go's
// clientcmd rules: a flag replaces the field the table names (flags.ts); --certificate-authority or
// --insecure-skip-tls-verify replace the cluster's whole trust setting; --server clears
// the kubeconfig's tls-server-name unless --tls-server-name is given too.
import { KubeconfigError } from './errors.ts';
import { CONNECTION_FLAGS } from './flags.ts';
import type { ClusterEntry, ConnectionFlags, Impersonation, UserEntry } from './kubeconfig-types.ts';


export function applyConnectionFlags<T extends { cluster: ClusterEntry; user: UserEntry }>(selected: T, flags: ConnectionFlags): T {
  const cluster: Record<string, unknown> & ClusterEntry = { ...selected.cluster };
  const user: Record<string, unknown> & UserEntry = { ...selected.user };
  // One field each, in the table's order (so --tls-server-name comes after --server clears it).
  for (const spec of CONNECTION_FLAGS) {
    const value = flags[spec.key];
    if (!value || !('field' in spec.overrides)) continue;
    const entry: Record<string, unknown> = spec.overrides.entry === 'cluster' ? cluster : user;
    entry[spec.overrides.field] = value;
    for (const cleared of spec.overrides.clears ?? []) entry[cleared] = undefined;
  }
  if (flags.insecureSkipTlsVerify || flags.certificateAuthority) {
    cluster.insecureSkipTlsVerify = flags.insecureSkipTlsVerify === true;
    cluster.certificateAuthority = flags.certificateAuthority;
    cluster.certificateAuthorityData = undefined;
  }
  if (cluster.insecureSkipTlsVerify && (cluster.certificateAuthority || cluster.certificateAuthorityData) && cluster.server.startsWith('https:')) {
    // client-go refuses this combination too.
    throw new KubeconfigError(`cluster "${cluster.name}": a certificate-authority and insecure-skip-tls-verify cannot both be set`);
  }
  user.impersonate = impersonation(user.impersonate, flags);
  return { ...selected, cluster, user };
}

function impersonation(fromFile: Impersonation | undefined, flags: ConnectionFlags): Impersonation | undefined {
  const merged: Impersonation = {
    user: flags.as || fromFile?.user,
    groups: flags.asGroups?.length ? flags.asGroups : (fromFile?.groups ?? []),
    uid: flags.asUid || fromFile?.uid,
    extra: fromFile?.extra ?? {},
  };
  const others = merged.groups!.length > 0 || merged.uid !== undefined || Object.keys(merged.extra!).length > 0;
  if (!merged.user && others) {
    throw new KubeconfigError('impersonating groups, a uid or user extras needs a user to impersonate: pass --as (or set as: in the kubeconfig user)');
  }
  return merged.user ? merged : undefined;
}

/** Impersonate-* headers (Kubernetes' impersonation API), one entry per repeated header. */
export function impersonationHeaders(who: Impersonation | undefined): Record<string, string | string[]> {
  if (!who?.user) return {};
  const headers: Record<string, string | string[]> = { 'Impersonate-User': who.user };
  if (who.groups?.length) headers['Impersonate-Group'] = who.groups;
  if (who.uid) headers['Impersonate-Uid'] = who.uid;
  for (const [key, values] of Object.entries(who.extra ?? {})) {
    // Header names are case-insensitive: the key is percent-encoded (as client-go does).
    headers[`Impersonate-Extra-${encodeURIComponent(key)}`] = values;
  }
  return headers;
}
