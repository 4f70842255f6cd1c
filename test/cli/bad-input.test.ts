import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../lib/in-process-cli.ts';
import { writeKubeconfig } from '../lib/kubeconfig-files.ts';

const kubeconfig = writeKubeconfig({
  currentContext: 'dev',
  clusters: [{ name: 'dev', server: 'http://127.0.0.1:1' }],
  contexts: [{ name: 'dev', cluster: 'dev', user: 'dev' }],
  users: [{ name: 'dev', token: 'dev-token' }],
});

// Each bad input: exit 2 and exactly one line on stderr that says what is wrong.
const cases: Array<[string, string[], RegExp]> = [
  ['an unknown verb', ['enabel', 'all'], /unknown verb "enabel": expected one of enable, disable/],
  ['an unknown flag', ['enable', 'all', '--replica', '3'], /Unknown argument: replica/],
  ['an unknown component', ['enable', 'kube-proxy'], /unknown component "kube-proxy": expected cilium-operator, coredns, metrics-server or all/],
  ['no component for enable', ['enable'], /name a component/],
  ['a bad -o', ['status', '-o', 'wide'], /invalid value "wide" for --output: expected one of text, json, yaml/],
  ['a bad --timeout', ['enable', 'all', '--timeout', '5 minutes'], /invalid value "5 minutes" for --timeout: expected a duration/],
  ['a bad --request-timeout', ['status', '--request-timeout', 'soon'], /invalid value "soon" for --request-timeout/],
  ['negative replicas', ['enable', 'cilium-operator', '--replicas', '-1'], /invalid value "-1" for --replicas: expected a whole number of at least 1/],
  ['--max-replicas below --min-replicas', ['enable', 'coredns', '--min-replicas', '3', '--max-replicas', '2'], /--max-replicas \(2\) is below --min-replicas \(3\)/],
  ['a bad --dry-run', ['enable', 'all', '--dry-run=maybe'], /invalid value "maybe" for --dry-run: expected one of none, client, server/],
  ['a bad --color', ['status', '--color', 'sometimes'], /invalid value "sometimes" for --color/],
  ['a pool name that is not a label value', ['enable', 'all', '--pools', 'a b'], /invalid pool name "a b"/],
  ['an unknown shell', ['completion', 'powershell'], /invalid value "powershell" for --shell/],
  ['an unreadable kubeconfig', ['version', '--client=false', '--kubeconfig', '/nonexistent/kubeconfig'], /cannot read kubeconfig \/nonexistent\/kubeconfig: ENOENT/],
  ['an unknown context', ['version', '--client=false', '--kubeconfig', kubeconfig, '--context', 'prod'], /context "prod" not found in the kubeconfig \(contexts: dev\)/],
];

describe('bad input', () => {
  it.each(cases)('%s gives one clear line and exit 2', async (_name, args, message) => {
    const result = await cli(args);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^error: /);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(2);
  });

  it('a malformed kubeconfig is named without quoting its content, even with -v', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kapsule-ha-bad-')), 'config');
    writeFileSync(file, 'apiVersion: v1\nusers:\n- name: a\n  user:\n    token: SECRET-TOKEN-123\n   bad: [\n');
    const result = await cli(['version', '--client=false', '--kubeconfig', file, '-v', '9']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^error: cannot read kubeconfig ${file}: not valid YAML: bad indentation of a mapping entry at line 6, column 4\n`));
    expect(result.stderr).not.toContain('SECRET-TOKEN-123');
  });

  it('shows the stack trace of an error only with -v', async () => {
    const quiet = await cli(['version', '--client=false', '--kubeconfig', '/nonexistent/kubeconfig']);
    const verbose = await cli(['version', '--client=false', '--kubeconfig', '/nonexistent/kubeconfig', '-v', '1']);
    expect(quiet.stderr).not.toMatch(/\n\s+at /);
    expect(verbose.stderr).toMatch(/\n\s+at /);
    expect(verbose.code).toBe(2);
  });
});
