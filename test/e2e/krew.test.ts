// The release path end to end: real krew installs the local archive, kubectl finds the
// plugin on PATH and runs it, kubectl completes its arguments, krew's validator accepts
// both manifests. Needs no cluster.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dist, ensureBuild, ensureKrew, krewBin, kubectlDir, repo } from '../lib/krew-tools.ts';
import { VERSION } from '../../src/version.ts';

const ARCHIVE = join(dist, 'kubectl-kapsule_ha_linux_amd64.tar.gz');
let krewRoot: string;
let env: NodeJS.ProcessEnv;

function run(command: string, args: string[], extraPath: string[] = []) {
  const result = spawnSync(command, args, { env: { ...env, PATH: [...extraPath, env.PATH].join(':') }, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  ensureBuild();
  ensureKrew();
  krewRoot = join(mkdtempSync(join(tmpdir(), 'kapsule-ha-krew-')), 'krew');
  env = { ...process.env, KREW_ROOT: krewRoot, PATH: [join(krewRoot, 'bin'), krewBin, kubectlDir(), process.env.PATH].join(':') };
  const install = run('kubectl', ['krew', 'install', `--manifest=${join(dist, 'plugin.yaml')}`, `--archive=${ARCHIVE}`]);
  if (install.code !== 0) throw new Error(`krew install failed: ${install.stderr}`);
}, 900_000);

describe('installing through krew', () => {
  it('kubectl runs the installed plugin: `kubectl kapsule-ha version`', () => {
    const result = run('kubectl', ['kapsule-ha', 'version']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`Client Version: v${VERSION}`);
    expect(result.code).toBe(0);
    // The single executable, not a script run by some Node.js on the PATH.
    expect(JSON.parse(run('kubectl', ['kapsule-ha', 'version', '-o', 'json']).stdout).clientVersion.userAgent).toMatch(/^kubectl-kapsule_ha\/\S+ \(linux\/(amd64|arm64)\) sea$/);
  });

  it('the plugin\'s help speaks as `kubectl kapsule-ha` when run by kubectl', () => {
    expect(run('kubectl', ['kapsule-ha', '--help']).stdout).toMatch(/^kubectl kapsule-ha <verb> \[flags\]/);
  });

  it('kubectl lists the plugin, and its exit codes come through (bad input: 2)', () => {
    expect(run('kubectl', ['plugin', 'list']).stdout).toContain(join(krewRoot, 'bin', 'kubectl-kapsule_ha'));
    const bad = run('kubectl', ['kapsule-ha', 'enable', 'kube-proxy']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown component "kube-proxy"');
  });

  it('kubectl completes the plugin\'s verbs and flag values through kubectl_complete-kapsule_ha', () => {
    const pluginDir = join(krewRoot, 'store', 'kapsule-ha', `v${VERSION}`);
    expect(run('kubectl', ['__complete', 'kapsule-ha', 'che'], [pluginDir]).stdout).toMatch(/^check-drift\t/);
    expect(run('kubectl', ['__complete', 'kapsule-ha', 'status', '-o', ''], [pluginDir]).stdout).toBe('text\njson\nyaml\n:4\n');
  });
});

describe('krew\'s manifest validator', () => {
  const validate = (manifest: string) => {
    // It insists on the file being named after the plugin.
    const copy = join(mkdtempSync(join(tmpdir(), 'kapsule-ha-manifest-')), 'kapsule-ha.yaml');
    writeFileSync(copy, manifest);
    return run(join(krewBin, 'validate-krew-manifest'), ['-manifest', copy, '-skip-install']);
  };

  it('accepts dist/plugin.yaml, whose sha256 is the archive\'s', () => {
    const manifest = readFileSync(join(dist, 'plugin.yaml'), 'utf8');
    const digest = execFileSync('sha256sum', [ARCHIVE], { encoding: 'utf8' }).split(' ')[0];
    expect(manifest).toContain(`sha256: ${digest}`);
    const result = validate(manifest);
    expect(result.stderr).toContain('structural validation OK');
    expect(result.code).toBe(0);
  });

  it('accepts krew-manifest.yaml rendered for a sample tag, as krew-release-bot would', () => {
    const tag = `v${VERSION}`;
    const rendered = readFileSync(join(repo, 'krew-manifest.yaml'), 'utf8')
      .replace(/\{\{ addURIAndSha "([^"]+)" \.TagName \}\}/g, (_match, uri: string) => `uri: ${uri}\n    sha256: ${sampleDigest(uri)}`)
      .replaceAll('{{ .TagName }}', tag);
    expect(rendered).not.toContain('{{');
    const result = validate(rendered);
    expect(result.stderr).toContain('structural validation OK');
    expect(result.code).toBe(0);
  });
});

/** A digest as the bot would write it (the validator reads all-digit values as numbers). */
function sampleDigest(uri: string): string {
  return createHash('sha256').update(uri).digest('hex');
}
