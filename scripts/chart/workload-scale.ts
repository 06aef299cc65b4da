// Generated workloads are named FAMILY/N, N the number of items (globals, elements,
// segments) the module initializes; the charts plot cost against N and pick, per family,
// the largest N as its representative.
import type { Results } from '../results-file.ts';

/** N of a FAMILY/N workload, or undefined for a workload without one (real-world, wasmtime). */
export function itemCount(workload: string): number | undefined {
  const match = /\/(\d+)$/.exec(workload);
  return match === null ? undefined : Number(match[1]);
}

export function familyOf(results: Results, workload: string): string {
  return results.workloads[workload]?.family ?? workload.split('/')[0];
}

/** Each family at its largest N, and every workload without an N, in the run's order. */
export function representativeWorkloads(results: Results): string[] {
  const largest = new Map<string, string>();
  for (const workload of results.config.workloads) {
    const n = itemCount(workload);
    if (n === undefined) continue;
    const family = familyOf(results, workload);
    const current = largest.get(family);
    if (current === undefined || n > itemCount(current)!) largest.set(family, workload);
  }
  const chosen = new Set(largest.values());
  return results.config.workloads.filter((w) => itemCount(w) === undefined || chosen.has(w));
}
