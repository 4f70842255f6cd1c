// The pod status a kubelet would write, from what the runner saw of its processes:
// conditions, containerStatuses (with restarts, lastState and waiting reasons such as
// ContainerCreating and CrashLoopBackOff), podIP(s), hostIP(s), phase, startTime.

export type ContainerState = { waiting: { reason: string; message?: string } } | { running: { startedAt: string } } | { terminated: Terminated };

export interface Terminated {
  exitCode: number;
  signal?: number;
  reason: string;
  startedAt: string;
  finishedAt: string;
  containerID?: string;
}

export interface ContainerView {
  name: string;
  image: string;
  state: ContainerState;
  lastState?: { terminated: Terminated };
  restartCount: number;
  ready: boolean;
  started: boolean;
  containerID?: string;
}

export interface PodView {
  podIP?: string;
  hostIP: string;
  startTime: string;
  sandboxReady: boolean;
  containers: ContainerView[];
}

export function podStatus(pod: any, view: PodView): Record<string, unknown> {
  const now = new Date().toISOString();
  const previous = new Map<string, any>((pod.status?.conditions ?? []).map((c: any) => [c.type, c]));
  const condition = (type: string, ok: boolean, reason?: string, message?: string) => {
    const status = ok ? 'True' : 'False';
    const before = previous.get(type);
    return {
      type,
      status,
      lastProbeTime: null,
      lastTransitionTime: before?.status === status ? before.lastTransitionTime : now,
      ...(ok || !reason ? {} : { reason, message }),
    };
  };
  const unready = view.containers.filter((c) => !c.ready).map((c) => c.name);
  const notReadyMessage = `containers with unready status: [${unready.join(' ')}]`;
  const everStarted = view.containers.every((c) => c.started || c.restartCount > 0 || 'terminated' in c.state);
  // A pod that does not restart (a Job's: restartPolicy Never or OnFailure) ends once every
  // container has terminated without a restart to come: Succeeded if all exited 0, else Failed.
  const ended = (pod.spec?.restartPolicy ?? 'Always') !== 'Always' && view.containers.every((c) => 'terminated' in c.state);
  const phase = ended
    ? view.containers.every((c) => 'terminated' in c.state && c.state.terminated.exitCode === 0) ? 'Succeeded' : 'Failed'
    : everStarted ? 'Running' : 'Pending';
  const [readyReason, readyMessage] = ended ? ['PodCompleted', ''] : ['ContainersNotReady', notReadyMessage];
  return {
    phase,
    conditions: [
      condition('PodReadyToStartContainers', view.sandboxReady),
      condition('Initialized', true),
      condition('Ready', unready.length === 0, readyReason, readyMessage),
      condition('ContainersReady', unready.length === 0, readyReason, readyMessage),
      previous.get('PodScheduled') ?? condition('PodScheduled', true),
    ],
    hostIP: view.hostIP,
    hostIPs: [{ ip: view.hostIP }],
    ...(view.podIP ? { podIP: view.podIP, podIPs: [{ ip: view.podIP }] } : {}),
    startTime: view.startTime,
    qosClass: pod.status?.qosClass,
    containerStatuses: view.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      ...(c.containerID ? { containerID: c.containerID } : {}),
      state: c.state,
      lastState: c.lastState ?? {},
      ready: c.ready,
      restartCount: c.restartCount,
      started: c.started,
    })),
  };
}
