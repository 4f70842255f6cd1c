// The control plane's processes: how each is started and how we know it is ready.
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { stringify } from 'yaml';
import { existsSync } from 'node:fs';
import { cluster, ports, runnerMain, type Layout } from './layout.ts';
import { desiredNodes } from './nodes.ts';
import { frontProxyClientName, pkiFiles } from './pki.ts';
import { clusterAddresses, clusterNetns, gatewayMain, httpGetInCluster, networkFiles } from './pod-network.ts';
import { readState } from './state.ts';
import type { ProcessSpec } from './processes.ts';

/** Every process of a running simulator, in start-up order. */
export const componentNames = ['etcd', 'pod-network', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'kube-proxy', 'runner'] as const;

export interface Component extends ProcessSpec {
  name: (typeof componentNames)[number];
  /** Resolves true once the component answers its health endpoint. */
  ready: () => Promise<boolean>;
  timeoutMs: number;
}

// Each component's own API client may go fast: seeding a thousand nodes and their pods
// must not queue behind client-side rate limits (the server's priority and fairness stays on).
const clientQps = { qps: 500, burst: 1000 };

export async function components(l: Layout): Promise<Component[]> {
  const pki = pkiFiles(l);
  const bin = (name: string) => path.join(l.binDir, name);
  /** A component's configuration file in the state folder, written as YAML; its path. */
  const writeConfig = async (name: string, config: object): Promise<string> => {
    const file = path.join(l.stateDir, name);
    await writeFile(file, stringify(config));
    return file;
  };
  const schedulerConfig = await writeConfig('scheduler.yaml', {
    apiVersion: 'kubescheduler.config.k8s.io/v1',
    kind: 'KubeSchedulerConfiguration',
    clientConnection: { kubeconfig: l.componentKubeconfig('kube-scheduler'), ...clientQps },
    leaderElection: { leaderElect: false },
  });
  for (const dir of ['controller-manager', 'scheduler']) await mkdir(path.join(l.pkiDir, dir), { recursive: true });
  const network = networkFiles(l);
  // The API server reaches pods and Services (aggregated APIs, webhooks) as Kapsule's
  // does, through a proxy into the cluster network (konnectivity there, the gateway here).
  const egressConfig = await writeConfig('egress-selector.yaml', {
    apiVersion: 'apiserver.k8s.io/v1beta1',
    kind: 'EgressSelectorConfiguration',
    egressSelections: [
      { name: 'cluster', connection: { proxyProtocol: 'HTTPConnect', transport: { uds: { udsName: network.egressSocket } } } },
      { name: 'controlplane', connection: { proxyProtocol: 'Direct' } },
      { name: 'etcd', connection: { proxyProtocol: 'Direct' } },
    ],
  });
  const state = readState(l);
  const kubeProxyConfig = await writeConfig('kube-proxy.yaml', {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'nftables',
    clientConnection: { kubeconfig: l.componentKubeconfig('kube-proxy'), ...clientQps },
    // One kube-proxy for the whole pod network: it stands on the first node (its zone decides nothing here).
    hostnameOverride: state ? (desiredNodes(state.nodesPerZone, state.zones)[0]?.metadata.name ?? '') : '',
    clusterCIDR: cluster.podCidr,
    detectLocalMode: 'ClusterCIDR',
    healthzBindAddress: '127.0.0.1:10256',
    metricsBindAddress: '127.0.0.1:10249',
    // The machine-wide conntrack sysctls are not ours to change.
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
  });
  const etcdUrl = (port: number) => `http://127.0.0.1:${port}`;

  return [
    {
      name: 'etcd',
      command: bin('etcd'),
      args: [
        '--name=sim',
        `--data-dir=${l.etcdDataDir}`,
        `--listen-client-urls=${etcdUrl(ports.etcdClient)}`,
        `--advertise-client-urls=${etcdUrl(ports.etcdClient)}`,
        `--listen-peer-urls=${etcdUrl(ports.etcdPeer)}`,
        `--initial-advertise-peer-urls=${etcdUrl(ports.etcdPeer)}`,
        `--initial-cluster=sim=${etcdUrl(ports.etcdPeer)}`,
        // A throw-away test cluster: durability costs start-up and write latency for nothing.
        '--unsafe-no-fsync=true',
        '--quota-backend-bytes=4294967296',
        '--log-level=warn',
      ],
      ready: () => httpOk(`${etcdUrl(ports.etcdClient)}/health`),
      timeoutMs: 20_000,
    },
    {
      // Holds the cluster's network namespace (see lib/pod-network.ts and runner/cluster-gateway.ts).
      name: 'pod-network',
      command: 'unshare',
      args: ['--net', process.execPath, gatewayMain, `--state-dir=${l.stateDir}`],
      ready: async () => existsSync(network.ready),
      timeoutMs: 20_000,
    },
    {
      name: 'kube-apiserver',
      command: bin('kube-apiserver'),
      args: [
        `--etcd-servers=${etcdUrl(ports.etcdClient)}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${ports.apiserver}`,
        // The `kubernetes` Service's endpoint: in the cluster network, the gateway forwards it here.
        `--advertise-address=${clusterAddresses.gateway}`,
        `--egress-selector-config-file=${egressConfig}`,
        `--tls-cert-file=${pki.serverCert}`,
        `--tls-private-key-file=${pki.serverKey}`,
        `--client-ca-file=${pki.caCert}`,
        `--token-auth-file=${l.tokenFile}`,
        '--authorization-mode=Node,RBAC',
        `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-cluster-ip-range=${cluster.serviceCidr}`,
        '--allow-privileged=true',
        `--audit-policy-file=${l.auditPolicy}`,
        `--audit-log-path=${l.auditLog}`,
        '--audit-log-format=json',
        '--audit-log-mode=blocking',
        '--audit-log-maxsize=4096',
        '--audit-log-maxbackup=1',
        '--profiling=false',
        // The aggregation layer (metrics.k8s.io), flagged as kubeadm flags it.
        `--requestheader-client-ca-file=${pki.frontProxyCaCert}`,
        `--requestheader-allowed-names=${frontProxyClientName}`,
        '--requestheader-username-headers=X-Remote-User',
        '--requestheader-group-headers=X-Remote-Group',
        '--requestheader-extra-headers-prefix=X-Remote-Extra-',
        `--proxy-client-cert-file=${pki.frontProxyClientCert}`,
        `--proxy-client-key-file=${pki.frontProxyClientKey}`,
      ],
      ready: () => httpOk(`https://127.0.0.1:${ports.apiserver}/readyz`),
      timeoutMs: 90_000,
    },
    {
      name: 'kube-controller-manager',
      command: bin('kube-controller-manager'),
      args: [
        `--kubeconfig=${l.componentKubeconfig('kube-controller-manager')}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${ports.controllerManager}`,
        `--cert-dir=${path.join(l.pkiDir, 'controller-manager')}`,
        '--controllers=*',
        '--use-service-account-credentials=true',
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.caCert}`,
        `--service-cluster-ip-range=${cluster.serviceCidr}`,
        // One instance: waiting for a leader lease would only slow start-up.
        '--leader-elect=false',
        // kwok renews the nodes' leases; on a loaded machine (several simulators on 2 cores, or
        // 300 nodes) a renewal can come later than the default 50 s, and the node lifecycle
        // controller would then mark every pod of the node NotReady for good (neither kwok nor
        // the runner sets Ready again, as a kubelet would): seen at load 12, which left every
        // later test file waiting for a reset that could not settle. No test takes a node down
        // that way (drains and cordons are used).
        '--node-monitor-grace-period=10m',
        `--kube-api-qps=${clientQps.qps}`,
        `--kube-api-burst=${clientQps.burst}`,
      ],
      ready: () => httpOk(`https://127.0.0.1:${ports.controllerManager}/healthz`),
      timeoutMs: 60_000,
    },
    {
      name: 'kube-scheduler',
      command: bin('kube-scheduler'),
      args: [`--config=${schedulerConfig}`, '--bind-address=127.0.0.1', `--secure-port=${ports.scheduler}`, `--cert-dir=${path.join(l.pkiDir, 'scheduler')}`],
      ready: () => httpOk(`https://127.0.0.1:${ports.scheduler}/healthz`),
      timeoutMs: 60_000,
    },
    {
      name: 'kwok',
      command: bin('kwok'),
      args: [`--kubeconfig=${l.componentKubeconfig('kwok')}`, `--config=${l.kwokConfig}`],
      ready: () => httpOk(`https://127.0.0.1:${ports.kwok}/healthz`),
      timeoutMs: 60_000,
    },
    {
      // Services for the pod network, in the cluster namespace.
      name: 'kube-proxy',
      command: bin('kube-proxy'),
      args: [`--config=${kubeProxyConfig}`],
      netns: () => clusterNetns(l),
      ready: () => httpGetInCluster(l, '127.0.0.1', 10256, '/healthz', { timeoutMs: 2000 }).then((r) => r.status === 200, () => false),
      timeoutMs: 60_000,
    },
    {
      // Plays the kubelet for CoreDNS and autoscaler pods: their real programs run.
      name: 'runner',
      command: process.execPath,
      args: [runnerMain, `--state-dir=${l.stateDir}`],
      ready: () => httpOk(`http://127.0.0.1:${ports.runner}/healthz`),
      timeoutMs: 30_000,
    },
  ];
}

/** A 200 from a health endpoint; the components' own self-signed certificates are not checked. */
function httpOk(url: string): Promise<boolean> {
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve) => {
    const request = client.get(url, { rejectUnauthorized: false, timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}
