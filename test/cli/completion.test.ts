import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cli } from '../lib/in-process-cli.ts';

const candidates = async (...words: string[]) => {
  const { stdout, code } = await cli(['__complete', ...words]);
  expect(code).toBe(0);
  const lines = stdout.trimEnd().split('\n');
  return { values: lines.slice(0, -1).map((line) => line.split('\t')[0]), directive: lines.at(-1) };
};

describe('completion', () => {
  it('completes verbs first, with descriptions, and never file names', async () => {
    const { stdout } = await cli(['__complete', '']);
    expect(stdout).toMatch(/^enable\tMake components highly available/);
    expect((await candidates('che')).values).toEqual(['check-drift']);
    expect((await candidates('')).directive).toBe(':4');
  });

  it('completes components, leaving out those already named', async () => {
    expect((await candidates('enable', '')).values).toEqual(['cilium-operator', 'coredns', 'metrics-server', 'all']);
    expect((await candidates('status', 'coredns', '')).values).toEqual(['cilium-operator', 'metrics-server', 'all']);
  });

  it('completes the flags of the verb and the values of enumerated flags', async () => {
    const flags = (await candidates('enable', '--p')).values;
    expect(flags).toEqual(['--password', '--pools']); // kubectl's --password is global
    expect((await candidates('enable', '--')).values).toEqual(expect.arrayContaining(['--dry-run', '--context', '--request-timeout', '--yes']));
    expect((await candidates('status', '-o', '')).values).toEqual(['text', 'json', 'yaml']);
    expect((await candidates('enable', 'all', '--dry-run', '')).values).toEqual(['none', 'client', 'server']);
  });

  it('lets the shell complete file names for --kubeconfig', async () => {
    expect(await candidates('status', '--kubeconfig', '')).toEqual({ values: [], directive: ':0' });
  });

  it.each(['bash', 'zsh', 'fish'])('prints a %s script that asks the binary itself', async (shell) => {
    const { stdout, code } = await cli(['completion', shell]);
    expect(code).toBe(0);
    expect(stdout).toContain('__complete');
    expect(stdout).toContain('kubectl-kapsule_ha');
  });

  it('the bash script is valid bash', async () => {
    const { stdout } = await cli(['completion', 'bash']);
    expect(() => execFileSync('bash', ['-n'], { input: stdout })).not.toThrow();
  });
});
