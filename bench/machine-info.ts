/** The machine a benchmark ran on, for the report and docs/benchmarks.md. */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';

/** Facts about this machine. */
export interface MachineInfo {
  readonly cpu: string;
  /** Logical CPUs available to this process (what `nproc` prints). */
  readonly nproc: number;
  readonly mem_gb: number;
  readonly node: string;
  readonly platform: string;
}

/** Reads the CPU model from /proc/cpuinfo (falls back to os.cpus()). */
export function machineInfo(): MachineInfo {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch { /* not Linux */ }
  return {
    cpu,
    nproc: availableParallelism(),
    mem_gb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}
