/**
 * One scrape of a node: the main thread's registry and each stage worker's, merged into one
 * exposition. Series of the same name and labels from several threads are added (a counter of
 * the supplier stage is the node's total, not one line per thread); per-process metrics
 * (CPU, memory, event loop) come from the main thread only.
 */
import { AggregatorRegistry, type Registry } from 'prom-client';

/** What a thread's registry gives (plain data: it crosses from a worker by structured clone). */
export type ThreadMetrics = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

export async function nodeExposition(main: Registry, workers: ThreadMetrics[]): Promise<{ contentType: string; text: string }> {
  const merged = AggregatorRegistry.aggregate([await main.getMetricsAsJSON(), ...workers]);
  return { contentType: merged.contentType, text: await merged.metrics() };
}
