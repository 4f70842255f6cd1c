// status shows whether the API server serves metrics-server's aggregated API: the
// APIService's Available condition is what kubectl top and every HPA depend on.
import { describe, expect, it } from 'vitest';
import { componentText } from '../../../src/verbs/status.ts';
import { componentStatus } from '../../../src/verbs/status-model.ts';
import { FakeCluster, metricsApiService } from '../../lib/fixtures.ts';

const statusWith = (cluster: FakeCluster, component: 'metrics-server' | 'coredns' = 'metrics-server') =>
  componentStatus(component, { view: cluster.view(), live: cluster.live() }, [], false, false);

describe('status: the metrics API', () => {
  it('shows an Available APIService and the Service it goes through', () => {
    const cluster = new FakeCluster();
    cluster.put(metricsApiService(true));
    const status = statusWith(cluster);
    expect(status.apiService).toEqual({ name: 'v1beta1.metrics.k8s.io', found: true, available: true, service: 'kube-system/metrics-server', reason: 'Passed', message: 'all checks passed' });
    expect(componentText(status)).toContain('  API: apiservice/v1beta1.metrics.k8s.io Available (service/kube-system/metrics-server)');
    expect(status.findings.map((f) => f.message).join('\n')).not.toMatch(/apiservice/);
  });

  it('an unavailable APIService is an error finding, with the API server\'s reason', () => {
    const cluster = new FakeCluster();
    cluster.put(metricsApiService(false));
    const status = statusWith(cluster);
    expect(status.apiService).toMatchObject({ found: true, available: false, reason: 'MissingEndpoints' });
    expect(componentText(status).find((line) => line.startsWith('  API:'))).toMatch(/^ {2}API: apiservice\/v1beta1\.metrics\.k8s\.io not Available \(service\/kube-system\/metrics-server\): MissingEndpoints \(endpoints for/);
    expect(status.findings).toContainEqual({ severity: 'error', message: 'apiservice/v1beta1.metrics.k8s.io not Available (MissingEndpoints): kubectl top and HorizontalPodAutoscalers get no metrics' });
  });

  it('a missing APIService is a warning; the other components have none', () => {
    const cluster = new FakeCluster();
    expect(statusWith(cluster).apiService).toMatchObject({ found: false, available: false });
    expect(statusWith(cluster).findings).toContainEqual({ severity: 'warning', message: 'no apiservice/v1beta1.metrics.k8s.io: kubectl top and HorizontalPodAutoscalers have no metrics API' });
    expect(statusWith(cluster, 'coredns').apiService).toBeNull();
    expect(componentText(statusWith(cluster, 'coredns')).some((line) => line.startsWith('  API:'))).toBe(false);
  });
});
