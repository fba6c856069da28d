import { readFileSync } from 'node:fs';
import os from 'node:os';
import { version as mediasoupVersion, workerBin } from 'mediasoup';

/** The machine and software a run measured on. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  kernel: string;
  nodeVersion: string;
  mediasoupVersion: string;
  /** The worker binary mediasoup spawns (MEDIASOUP_WORKER_BIN or its default). */
  mediasoupWorkerBin: string;
  compiler: string;
  memoryBytes: number;
  /** 1-minute load average when the run started: other work on a shared machine. */
  loadAverageAtStart: number;
}

/** The `model name` of the first CPU in /proc/cpuinfo. */
export function parseCpuModel(cpuinfo: string): string {
  return /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1].trim() ?? 'unknown';
}

/** Describes this machine. */
export function readMachineInfo(compiler: string): MachineInfo {
  return {
    cpuModel: parseCpuModel(readFileSync('/proc/cpuinfo', 'utf8')),
    cores: os.cpus().length,
    kernel: `${os.type()} ${os.release()}`,
    nodeVersion: process.version,
    mediasoupVersion,
    mediasoupWorkerBin: workerBin,
    compiler,
    memoryBytes: os.totalmem(),
    loadAverageAtStart: os.loadavg()[0],
  };
}
