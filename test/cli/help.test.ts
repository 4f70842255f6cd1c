import { describe, expect, it } from 'vitest';
import { cli } from '../lib/in-process-cli.ts';
import { VERBS, verbName } from '../../src/cli/verbs.ts';
import { VERSION } from '../../src/version.ts';
import packageJson from '../../package.json' with { type: 'json' };

describe('help and version', () => {
  it('--help reads "kubectl kapsule-ha" when kubectl runs the plugin (argv0 starts with kubectl-)', async () => {
    const result = await cli(['--help'], { invokedAs: '/home/me/.krew/bin/kubectl-kapsule_ha' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^kubectl kapsule-ha <verb> \[flags\]/);
    expect(result.stdout).toContain('kubectl kapsule-ha enable [components..]');
  });

  it('--help names the binary itself when it is run under another name', async () => {
    const result = await cli(['--help'], { invokedAs: '/opt/bin/kapsule-ha' });
    expect(result.stdout).toMatch(/^kapsule-ha <verb> \[flags\]/);
  });

  it.each(VERBS.map(verbName))('%s --help has examples, each under a "# comment" line and without "$"', async (verb) => {
    const result = await cli([verb, '--help']);
    expect(result.code).toBe(0);
    const examples = result.stdout.split('Examples:\n')[1] ?? '';
    const blocks = examples.trim().split(/\n\s*\n/);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      const [comment, command] = block.split('\n').map((line) => line.trim());
      expect(comment).toMatch(/^# \S/);
      expect(command).toMatch(/^kubectl kapsule-ha /);
      expect(block).not.toContain('$');
    }
  });

  it('version prints the client version offline, as text, json or yaml', async () => {
    expect(packageJson.version).toBe(VERSION);
    const text = await cli(['version']);
    expect(text.stdout).toMatch(new RegExp(`^Client Version: v${VERSION.replace(/\./g, '\\.')}\n`));
    const json = JSON.parse((await cli(['version', '-o', 'json'])).stdout) as { clientVersion: { version: string } };
    expect(json.clientVersion.version).toBe(`v${VERSION}`);
    expect((await cli(['version', '-o', 'yaml'])).stdout).toMatch(new RegExp(`^clientVersion:\n  version: v${VERSION.replace(/\./g, '\\.')}\n`, 'm'));
  });

  it('`help <verb>` shows that verb\'s help, as in kubectl', async () => {
    const result = await cli(['help', 'status']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^kubectl kapsule-ha status \[components\.\.\]/);
    expect((await cli(['help'])).stdout).toMatch(/^kubectl kapsule-ha <verb> \[flags\]/);
  });

  it('no verb at all is bad input with a hint', async () => {
    const result = await cli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/name a verb: enable, disable, diff, check-drift, status, guard, version, completion/);
  });
});
