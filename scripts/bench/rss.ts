/**
 * Resident set size of a process from /proc (Linux): the whole gateway node, its worker
 * threads included, as the kernel counts it.
 */
import { readFileSync } from 'node:fs';

/** MB from the text of /proc/<pid>/status; undefined when it has no VmRSS line. Pure. */
export function parseVmRssMb(status: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : undefined;
}

/** The process's RSS in MB now, or undefined when it is gone (or this is not Linux). */
export function readRssMb(pid: number): number | undefined {
  try {
    return parseVmRssMb(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}
