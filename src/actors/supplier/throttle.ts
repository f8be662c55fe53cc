/**
 * The provider's contracted rate as p-queue settings. Pure. The rate is split into ten slices
 * a second, so a 100/s contract sends 10 every 100 ms rather than 100 at the top of each
 * second (providers count in windows shorter than a second, and bursts earn ESME_RTHROTTLED).
 */
export interface ThrottleSettings {
  intervalCap: number;
  interval: number;
}

export function throttleFor(ratePerSecond: number): ThrottleSettings {
  if (!(ratePerSecond > 0)) throw new RangeError(`rate must be > 0, got ${ratePerSecond}`);
  const intervalCap = Math.max(1, Math.round(ratePerSecond / 10));
  return { intervalCap, interval: Math.round((intervalCap * 1000) / ratePerSecond) };
}
