/**
 * The counter stage, except that a worker fails to start while the marker file named by
 * SMSGW_SPEC_FLAKY_START exists (each failure removes it): a stage worker that cannot bind
 * its topic the first time, as when a broker does not know a brand-new topic yet.
 */
import { existsSync, unlinkSync } from 'node:fs';
import type { ExactlyOnceStage } from '../../../src/host/stage.js';
import { stage as counter } from './counter-stage.js';

export const stage: ExactlyOnceStage<ReadonlyMap<string, number>> = {
  ...counter,
  topic: (t) => {
    const marker = process.env.SMSGW_SPEC_FLAKY_START;
    if (marker && existsSync(marker)) {
      unlinkSync(marker);
      throw new Error('this server does not host this topic-partition (simulated)');
    }
    return counter.topic(t);
  },
};
