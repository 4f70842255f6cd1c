// Counting requests in the audit log waits for a sentinel request: the API server writes
// an event just after it answers, so a log read at once can be short.
import { describe, expect, it } from 'vitest';
import { apiClient, auditOffset, readAudit, readAuditCaughtUp } from './sim.ts';

describe('the audit log, read once it has caught up', () => {
  it('holds every request answered before the sentinel, which it shows', async () => {
    const userAgent = `audit-test/${Date.now()}`;
    const api = apiClient({ userAgent });
    const offset = auditOffset();
    try {
      await Promise.all(Array.from({ length: 30 }, () => api.get('/api/v1/namespaces/kube-system/configmaps/coredns')));
    } finally {
      api.close();
    }
    const ours = (events: { userAgent?: string }[]) => events.filter((event) => event.userAgent === userAgent).length;
    const atOnce = ours(readAudit(offset).events);
    const caughtUp = await readAuditCaughtUp(offset);
    console.log(`[audit] right after the 30 answers the log held ${atOnce} of them; after the sentinel ${ours(caughtUp.events)}`);
    expect(caughtUp.sentinel.userAgent).toMatch(/^kapsule-ha-audit-sentinel\//);
    expect(caughtUp.events.some((event) => event.auditID === caughtUp.sentinel.auditID)).toBe(false);
    expect(ours(caughtUp.events)).toBe(30);
  });
});
