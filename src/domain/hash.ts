/**
 * A stable, fast, non-cryptographic hash of a string, for decisions that must come out the
 * same for one message wherever and however often they are taken (weighted route choice,
 * concatenation reference numbers). Pure: FNV-1a over UTF-16 code units, then murmur3's
 * 32-bit finalizer so every output bit depends on every input character.
 */
export function stableHash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The hash as a number in [0, 1). */
export function stableUnit(s: string): number {
  return stableHash32(s) / 0x1_0000_0000;
}
