// The small kubeconfig reader either reads a file exactly as the `yaml` library does, or
// declines (undefined) so that `yaml` reads it: never a different reading.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseSimpleYaml } from '../../../src/kube/kubeconfig-yaml.ts';

const CA = 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwKY201bGRHVnpNQjRYRFRJME1ERXdNVEF3TURBd01Gb1hEVE0wTURFd01UQXdNREF3TUZvd0ZURVRNQkVHQTFVRQo=';

/** Shapes written by real tools, each as that tool writes it. */
const HANDLED: Record<string, string> = {
  'kubectl config view --raw (kubeadm)': `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${CA}
    server: https://10.0.0.1:6443
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: kubernetes-admin
  name: kubernetes-admin@kubernetes
current-context: kubernetes-admin@kubernetes
kind: Config
preferences: {}
users:
- name: kubernetes-admin
  user:
    client-certificate-data: ${CA}
    client-key-data: ${CA}
`,
  'Scaleway Kapsule (console download, quoted names, token)': `apiVersion: v1
clusters:
- name: "k8s-prod-par"
  cluster:
    certificate-authority-data: ${CA}
    server: https://3f1c2b9e-1234-4c2a-9d7e-0a1b2c3d4e5f.api.k8s.fr-par.scw.cloud:6443
contexts:
- name: admin@k8s-prod-par
  context:
    cluster: "k8s-prod-par"
    user: k8s-prod-par-admin
current-context: admin@k8s-prod-par
kind: Config
preferences: {}
users:
- name: k8s-prod-par-admin
  user:
    token: 9d8e7f6a-5b4c-4d3e-8f2a-1b0c9d8e7f6a
`,
  'kind (several clusters, indented lists, insecure flag)': `apiVersion: v1
kind: Config
clusters:
  - cluster:
      server: https://127.0.0.1:41235
      insecure-skip-tls-verify: true
    name: kind-a
  - cluster:
      certificate-authority: /home/me/.minikube/ca.crt
      server: https://127.0.0.1:41236
    name: kind-b
contexts:
  - context:
      cluster: kind-a
      user: kind-a
      namespace: kube-system
    name: kind-a
  - context:
      cluster: kind-b
      user: kind-b
    name: kind-b
current-context: kind-a
users:
  - name: kind-a
    user:
      token: abc
`,
  'EKS (exec plugin with args, env, comments)': `# written by aws eks update-kubeconfig
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${CA}
    server: https://ABCDEF0123456789.gr7.eu-west-1.eks.amazonaws.com
  name: arn:aws:eks:eu-west-1:123456789012:cluster/prod
contexts:
- context:
    cluster: arn:aws:eks:eu-west-1:123456789012:cluster/prod
    user: arn:aws:eks:eu-west-1:123456789012:cluster/prod
  name: arn:aws:eks:eu-west-1:123456789012:cluster/prod
current-context: arn:aws:eks:eu-west-1:123456789012:cluster/prod
kind: Config
preferences: {}
users:
- name: arn:aws:eks:eu-west-1:123456789012:cluster/prod
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - --region
      - eu-west-1
      - eks
      - get-token
      - --cluster-name
      - prod
      - --output
      - json
      command: aws
      env:
      - name: AWS_PROFILE
        value: prod
      interactiveMode: IfAvailable
      provideClusterInfo: false
`,
  'minikube (extensions, empty values, single quotes, CRLF)': [
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    '    certificate-authority: /root/.minikube/ca.crt',
    '    extensions:',
    '    - extension:',
    '        last-update: Mon, 01 Jan 2024 10:00:00 UTC',
    '        provider: minikube.sigs.k8s.io',
    "        version: 'v1.32.0'",
    '      name: cluster_info',
    '    server: https://192.168.49.2:8443',
    '  name: minikube',
    'contexts:',
    '- context:',
    '    cluster: minikube',
    '    namespace: default',
    '    user: minikube',
    '  name: minikube',
    'current-context: minikube',
    'kind: Config',
    'preferences:',
    'users:',
    '- name: minikube',
    '  user:',
    "    client-certificate: '/root/.minikube/profiles/minikube/client.crt'",
    '    client-key: "/root/.minikube/profiles/minikube/client.key"',
    '    as-groups: []',
    '    password: "it\'s \\"quoted\\" \\u00e9"',
    '',
  ].join('\r\n'),
};

/** Valid YAML outside the subset: read by `yaml` instead. */
const DECLINED: Record<string, string> = {
  number: 'apiVersion: v1\nport: 6443\n',
  float: 'a: 1.5\n',
  hex: 'a: 0x1F\n',
  'comment after a value': 'current-context: prod # the main one\n',
  'block scalar (GKE installHint)': 'users:\n- name: gke\n  user:\n    exec:\n      command: gke-gcloud-auth-plugin\n      installHint: |\n        Install gke-gcloud-auth-plugin for use with kubectl by following\n        https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin\n',
  anchor: 'a: &x b\nc: *x\n',
  tag: 'a: !!str 1\n',
  'multi-line plain scalar': 'token:\n  abc\n  def\n',
  'continued value': 'token: abc\n  def\n',
  'flow sequence': 'args: [a, b]\n',
  'duplicate key': 'a: b\na: c\n',
  'document marker': '---\na: b\n',
  'tab indentation': 'a:\n\tb: c\n',
  'YAML escape outside JSON': 'a: "\\x41"\n',
  'null key': 'null: a\n',
  'value that is a negative number': 'a: -1\n',
  'sequence in a sequence': 'a:\n- - b\n',
};

describe('parseSimpleYaml', () => {
  it.each(Object.entries(HANDLED))('%s: read here, exactly as yaml reads it', (_, text) => {
    const mine = parseSimpleYaml(text);
    expect(mine).not.toBeUndefined();
    expect(mine).toEqual(parse(text, { uniqueKeys: false }));
  });

  it('a context written in flow style is left to yaml', () => {
    const text = HANDLED['kind (several clusters, indented lists, insecure flag)']!.replace('  - context:\n      cluster: kind-b\n      user: kind-b\n', '  - context: {cluster: kind-b, user: kind-b}\n');
    expect(text).toContain('{cluster: kind-b');
    expect(parseSimpleYaml(text)).toBeUndefined();
  });

  it.each(Object.entries(DECLINED))('%s: declined, left to yaml', (_, text) => {
    expect(parseSimpleYaml(text)).toBeUndefined();
  });

  it('booleans, nulls and quoted look-alikes as YAML 1.2 (yaml\'s default) reads them', () => {
    const text = "a: true\nb: False\nc: ~\nd:\ne: 'true'\nf: \"6443\"\ng: yes\nh: on\n";
    expect(parseSimpleYaml(text)).toEqual(parse(text));
    expect(parseSimpleYaml(text)).toEqual({ a: true, b: false, c: null, d: null, e: 'true', f: '6443', g: 'yes', h: 'on' });
  });

  it('never reads differently from yaml over every line-wise cut of the real shapes', () => {
    // Truncated files and files with a line removed are odd shapes a hand edit may leave.
    for (const text of Object.values(HANDLED)) {
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        for (const variant of [lines.slice(0, i).join('\n'), [...lines.slice(0, i), ...lines.slice(i + 1)].join('\n')]) {
          let expected: unknown;
          try {
            expected = parse(variant, { uniqueKeys: false });
          } catch {
            expect(parseSimpleYaml(variant)).toBeUndefined();
            continue;
          }
          const mine = parseSimpleYaml(variant);
          if (mine !== undefined) expect(mine, variant).toEqual(expected ?? null);
        }
      }
    }
  });
});
