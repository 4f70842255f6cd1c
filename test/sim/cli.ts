// npm run sim:up | sim:down | sim:reset | sim:upgrade (and `node test/sim/cli.ts scale`)
import path from 'node:path';
import { down, info, reset, scaleNodes, setStartDelay, up, upgrade, type SimOptions } from './sim.ts';

const usage = 'usage: node test/sim/cli.ts up [--nodes-per-zone=DEFAULT,AUTOSCALED] [--start-delay=MS] | down | reset | upgrade | scale --nodes-per-zone=DEFAULT,AUTOSCALED | start-delay MS';

async function main(argv: string[]): Promise<void> {
  const [operation, ...flags] = argv;
  const started = Date.now();
  const took = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  switch (operation) {
    case 'up': {
      const sim = await up(upOptions(flags));
      const kubeconfig = path.relative(process.cwd(), sim.kubeconfig) || sim.kubeconfig;
      process.stdout.write(
        [
          `Kapsule simulator up in ${took()}: ${sim.server}, Kubernetes v1.35.4, zones ${sim.zones.join(', ')}.`,
          '',
          `  export KUBECONFIG=$PWD/${kubeconfig}`,
          '  kubectl get nodes -L topology.kubernetes.io/zone,k8s.scaleway.com/pool-name',
          '  kubectl -n kube-system get deploy,pods -o wide',
          '  kubectl --context restricted auth can-i --list   # the restricted user',
          '',
          `Audit log: ${sim.auditLog}. Logs: ${path.join(sim.stateDir, 'logs')}. Stop with npm run sim:down.`,
          '',
        ].join('\n'),
      );
      return;
    }
    case 'down':
      await down();
      process.stdout.write(`Kapsule simulator stopped, ${info().stateDir} removed.\n`);
      return;
    case 'reset':
      await reset();
      process.stdout.write(`Kapsule simulator reset to its seed in ${took()}.\n`);
      return;
    case 'upgrade':
      await upgrade();
      process.stdout.write(`Kapsule upgrade simulated in ${took()}: new images on coredns, metrics-server, cilium-operator; Corefile cache 30 → 60; replicas 1.\n`);
      return;
    case 'scale': {
      const { nodesPerZone } = upOptions(flags);
      if (!nodesPerZone) throw new Error(usage);
      await scaleNodes(nodesPerZone);
      process.stdout.write(`Nodes scaled to ${nodesPerZone.default} default + ${nodesPerZone.autoscaled} autoscaled per zone in ${took()} (reset goes back to the shape up was given).\n`);
      return;
    }
    case 'start-delay': {
      const ms = Number(flags[0]);
      if (!/^\d+$/.test(flags[0] ?? '')) throw new Error(usage);
      await setStartDelay(ms);
      process.stdout.write(`Runner pods now start ${ms} ms (±1/3) after they are bound.\n`);
      return;
    }
    default:
      throw new Error(usage);
  }
}

function upOptions(flags: string[]): SimOptions {
  const options: SimOptions = {};
  for (const flag of flags) {
    const match = /^--nodes-per-zone=(\d+),(\d+)$/.exec(flag);
    const delay = /^--start-delay=(\d+)$/.exec(flag);
    if (match) options.nodesPerZone = { default: Number(match[1]), autoscaled: Number(match[2]) };
    else if (delay) options.startDelayMs = Number(delay[1]);
    else throw new Error(`unknown flag ${flag}; ${usage}`);
  }
  return options;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`sim: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
