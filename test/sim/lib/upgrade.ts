// The simulated Kapsule upgrade: the provider re-applies its kube-system manifests with
// newer images, a new metrics-server argument and a changed Corefile, as `kubectl apply` (Kapsule's objects carry the
// last-applied annotation). Replicas come back to the manifests' 1; what the user added
// elsewhere stays, as with any three-way apply.
import { stringify } from 'yaml';

/** Images before → after the upgrade. */
export const upgradedImages: Record<string, string> = {
  'registry.k8s.io/coredns/coredns:v1.12.1': 'registry.k8s.io/coredns/coredns:v1.12.4',
  'registry.k8s.io/metrics-server/metrics-server:v0.7.2': 'registry.k8s.io/metrics-server/metrics-server:v0.8.0',
  'quay.io/cilium/operator-generic:v1.17.6': 'quay.io/cilium/operator-generic:v1.18.2',
};

/** Arguments the upgrade adds to a Deployment's first container (one metrics-server v0.8.0 accepts). */
export const upgradedArgs: Record<string, string[]> = {
  'metrics-server': ['--kubelet-request-timeout=10s'],
};

/** The Corefile line the upgrade changes. */
export const upgradedCorefileLine = { before: '    cache 30\n', after: '    cache 60\n' } as const;

/** The seed's Deployments and the coredns ConfigMap, as the upgrade applies them (one YAML stream). */
export function upgradeManifests(seed: any[]): string {
  const touched = seed.filter((o) => o.kind === 'Deployment' || (o.kind === 'ConfigMap' && o.metadata.name === 'coredns')).map(upgradeObject);
  return touched.map((object) => stringify(object)).join('---\n');
}

function upgradeObject(object: any): any {
  const copy = structuredClone(object);
  if (copy.kind === 'ConfigMap') {
    const corefile: string = copy.data.Corefile;
    if (!corefile.includes(upgradedCorefileLine.before)) throw new Error('the seed Corefile has no "cache 30" line for the upgrade to change');
    copy.data.Corefile = corefile.replace(upgradedCorefileLine.before, upgradedCorefileLine.after);
    return copy;
  }
  copy.spec.replicas = 1;
  for (const container of copy.spec.template.spec.containers) {
    const newer = upgradedImages[container.image];
    if (!newer) throw new Error(`no upgrade known for image ${container.image}`);
    container.image = newer;
  }
  const [first] = copy.spec.template.spec.containers;
  first.args = [...(first.args ?? []), ...(upgradedArgs[copy.metadata.name] ?? [])];
  return copy;
}
