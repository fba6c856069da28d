import { setTimeout as sleep } from 'node:timers/promises';
import { startSfu } from '../../../services/sfu/test/support/sfu-fixture';
import {
  headlessMember,
  keyedTogether,
  until,
  type HeadlessMember,
} from '../../../services/sfu/test/support/mls-members';

/** One storm: `joiners` people arriving evenly over `arrivalMs` in a meeting its host already keyed. */
export interface StormSpec {
  joiners: number;
  arrivalMs: number;
  /** Bound on the wait for everyone to be keyed after the last arrival. */
  timeoutMs: number;
}

export interface StormResult {
  joiners: number;
  arrivalMs: number;
  /** From the first arrival to the last (a joiner arrives when it starts its MLS session), as it happened. */
  arrivalSpreadMs: number;
  /** From the last arrival until every member entered the final epoch (all hold its keys). */
  keyedMsAfterLastArrival: number;
  /** Epochs (commits) from the host's group (epoch 0) to the final one. */
  epochs: number;
  /** Target: at most one epoch per 100 ms of arrivals. */
  epochsAllowed: number;
  /** Sizes of the sequenced commits and Welcomes, once each (not multiplied by their recipients). */
  commitBytes: number;
  welcomeBytes: number;
  welcomes: number;
  /** What the SFU sent members in all: each commit to each recipient, each Welcome to each joiner it names. */
  deliveredBytes: number;
  /** Add proposals the host received: one per joiner when no Add had to be proposed again. */
  addProposalsToHost: number;
  /** Each epoch as the host entered it: when (relative to the last arrival, negative before) and the group size. */
  hostEpochs: { epoch: number; msAfterLastArrival: number; members: number }[];
  /** Who entered the final epoch last. */
  lastKeyed: string;
  /**
   * CPU of this process (the SFU's signalling and every client) from the first arrival until everyone was keyed;
   * with `cpuShare` (CPU over wall time) it says how far other work on the machine slowed the storm.
   */
  processCpuMs: number;
  cpuShare: number;
}

/** Runs a storm against a fresh real SFU with headless MLS clients (real ts-mls, real signalling). */
export async function runStorm(spec: StormSpec, log: (line: string) => void): Promise<StormResult> {
  // Every headless member connects from loopback: the per-address bound must let the whole storm in.
  const sfu = await startSfu({
    rooms: { maxParticipants: Math.max(100, spec.joiners + 1) },
    signalling: { maxConnectionsPerAddress: spec.joiners + 10 },
  });
  const members: HeadlessMember[] = [];
  try {
    const room = `storm-${spec.joiners}`;
    const host = await headlessMember(sfu, 'host', room);
    members.push(host);
    await until(() => host.latest()?.epoch === 0n, 'the host created the group');
    const start = Date.now();
    const cpuAtStart = process.cpuUsage();
    const joining: Promise<HeadlessMember>[] = [];
    for (let i = 0; i < spec.joiners; i++) {
      const due = start + (spec.joiners === 1 ? 0 : (i * spec.arrivalMs) / (spec.joiners - 1));
      await sleep(Math.max(0, due - Date.now()));
      joining.push(headlessMember(sfu, `joiner${i}`, room));
    }
    members.push(...(await Promise.all(joining)));
    const arrivals = members.slice(1).map((m) => m.startedAt);
    const lastArrival = Math.max(...arrivals);
    log(`${spec.joiners} joiners arrived over ${lastArrival - Math.min(...arrivals)} ms; waiting for keys`);
    await until(() => keyedTogether(members, spec.joiners + 1), 'everyone is keyed', spec.timeoutMs);
    const cpu = process.cpuUsage(cpuAtStart);
    const processCpuMs = Math.round((cpu.user + cpu.system) / 1000);
    const final = host.latest()!;
    const keyedAt = Math.max(...members.map((m) => m.epochs.find((e) => e.epoch === final.epoch)!.at));
    const commits = new Map<number, number>();
    const welcomes = new Map<number, number>();
    let deliveredBytes = 0;
    for (const m of members) {
      for (const [epoch, bytes] of [...m.sent.commitBytes, ...m.received.commitBytes])
        commits.set(epoch, bytes);
      for (const [epoch, bytes] of [...m.sent.welcomeBytes, ...m.received.welcomeBytes])
        welcomes.set(epoch, bytes);
      for (const bytes of [...m.received.commitBytes.values(), ...m.received.welcomeBytes.values()])
        deliveredBytes += bytes;
    }
    return {
      joiners: spec.joiners,
      arrivalMs: spec.arrivalMs,
      arrivalSpreadMs: lastArrival - Math.min(...arrivals),
      keyedMsAfterLastArrival: keyedAt - lastArrival,
      epochs: Number(final.epoch),
      epochsAllowed: Math.max(1, Math.ceil(spec.arrivalMs / 100)),
      commitBytes: sum([...commits.values()]),
      welcomeBytes: sum([...welcomes.values()]),
      welcomes: welcomes.size,
      deliveredBytes,
      addProposalsToHost: host.received.addProposals,
      hostEpochs: host.epochs.map((e) => ({
        epoch: Number(e.epoch),
        msAfterLastArrival: e.at - lastArrival,
        members: e.members.length,
      })),
      processCpuMs,
      cpuShare: Math.round((processCpuMs / Math.max(1, keyedAt - start)) * 100) / 100,
      lastKeyed: members.find((m) => m.epochs.find((e) => e.epoch === final.epoch)!.at === keyedAt)!.user,
    };
  } finally {
    await Promise.all(members.map((m) => m.close()));
    await sfu.close();
  }
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
