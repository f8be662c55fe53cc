/**
 * Who owns a number: a mobile-originated message to that number goes to that customer. Pure.
 * Customers claim exact numbers (`447700900123`) or prefixes (`4477009001*`, `*` for every
 * number). The most specific claim wins: an exact number over any prefix, a longer prefix over
 * a shorter one. Two customers claiming the same number or the same prefix is a configuration
 * error naming both.
 */
import { ConfigError } from '../../errors.js';
import type { CustomerConfig } from '../../config/types.js';

export interface NumberOwners {
  /** The customer (system id) owning `destination` (a leading `+` is ignored), if any. */
  ownerOf(destination: string): string | undefined;
}

interface Claim {
  customer: string;
  field: string;
}

export function compileNumberOwners(customers: readonly Pick<CustomerConfig, 'systemId' | 'numbers'>[]): NumberOwners {
  const exact = new Map<string, Claim>();
  const prefixes = new Map<string, Claim>();
  customers.forEach((c, i) => {
    c.numbers.forEach((raw, j) => {
      const field = `customers[${i}].numbers[${j}]`;
      const n = raw.replace(/^\+/, '');
      const isPrefix = n.endsWith('*');
      const digits = isPrefix ? n.slice(0, -1) : n;
      if (!/^\d*$/.test(digits) || (!isPrefix && digits === ''))
        throw new ConfigError(field, 'must be digits (a prefix ends with *)', raw);
      const claims = isPrefix ? prefixes : exact;
      const earlier = claims.get(digits);
      if (earlier && earlier.customer !== c.systemId)
        throw new ConfigError(field, `is also claimed by customer ${earlier.customer} (${earlier.field}); customer ${c.systemId} cannot own it too`, raw);
      if (!earlier) claims.set(digits, { customer: c.systemId, field });
    });
  });
  const longest = Math.max(0, ...[...prefixes.keys()].map((p) => p.length));
  return {
    ownerOf(destination: string): string | undefined {
      const d = destination.replace(/^\+/, '');
      const hit = exact.get(d);
      if (hit) return hit.customer;
      for (let len = Math.min(longest, d.length); len >= 0; len--) {
        const claim = prefixes.get(d.slice(0, len));
        if (claim) return claim.customer;
      }
      return undefined;
    },
  };
}
