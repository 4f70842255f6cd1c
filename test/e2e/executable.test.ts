// The program the cluster tests run is the one users install: the built single executable
// (unless KAPSULE_HA_TEST_FROM_SOURCE=1, which CI refuses). The API server's audit log,
// not our own code, says which program sent the requests.
import { describe, expect, it } from 'vitest';
import { auditOffset, expectedUserAgent, fromSource, plugin, PLUGIN_AGENT, sim } from '../lib/plugin.ts';

describe('the program under test', () => {
  it('is the built single executable: every request of a cluster verb carries its User-Agent', async () => {
    const offset = auditOffset();
    const result = await plugin(['status']);
    expect(result.code, result.stderr).toBe(0);
    const { events } = await sim.readAuditCaughtUp(offset);
    const agents = new Set(events.filter((event) => event.userAgent?.startsWith(PLUGIN_AGENT)).map((event) => event.userAgent));
    expect([...agents]).toEqual([expectedUserAgent]);
    expect(expectedUserAgent).toMatch(fromSource ? / node$/ : / sea$/);
  });

  it('version -o json names the same User-Agent, so a user can find the plugin in an audit log', async () => {
    const result = await plugin(['version', '-o', 'json']);
    expect(JSON.parse(result.stdout).clientVersion.userAgent).toBe(expectedUserAgent);
  });
});
