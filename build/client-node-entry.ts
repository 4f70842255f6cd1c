// The third bundle: @kubernetes/client-node and its dependencies (~1.5 MB), behind
// src/kube/kubeconfig-client-node.ts. Shipped as a SEA asset and loaded by
// build/heavy-loader.ts only for auth-provider users (oidc, gcp, azure) and to word why a
// kubeconfig is invalid; the verbs' bundle reaches it through splitClientNode (bundle.ts).
import * as kubeconfigClientNode from '../src/kube/kubeconfig-client-node.ts';
import * as proxySocks from '../src/kube/proxy-socks.ts';

/** Keyed by path under src/, without extension (see CLIENT_NODE_MODULE in build/bundle.ts). */
export const modules: Record<string, unknown> = {
  'kube/kubeconfig-client-node': kubeconfigClientNode,
  'kube/proxy-socks': proxySocks,
};
