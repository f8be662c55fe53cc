/**
 * How a configuration file's customers and providers reach the live directory. The file seeds:
 * an entry is written when the directory has never had it, or when the file's version changed
 * since the directory last took it from the file (so editing the file and restarting, or
 * reloading, applies the edit). An entry an operator changed or removed with `smsgw` stays as
 * the operator left it until the file's own version of it changes. An entry the file took in
 * and no longer lists is removed.
 *
 * No I/O but scrypt: a plain password in the file is stored hashed.
 */
import { createHash } from 'node:crypto';
import type { CustomerConfig, ProviderConfig } from '../config/types.js';
import { hashPassword, verifyPassword } from '../actors/session/password.js';
import type { DirectoryRecord, DirectoryState, EntryKind, Seed } from './records.js';

/** A customer as the directory stores it: the password hashed, nothing undefined. */
export async function customerEntry(c: CustomerConfig): Promise<Record<string, unknown>> {
  const { password, passwordHash, ...rest } = c;
  return plain({ ...rest, passwordHash: passwordHash ?? (await hashPassword(password ?? '')) });
}

export function providerEntry(p: ProviderConfig): Record<string, unknown> {
  const { slot: _slot, ...rest } = p;
  return plain(rest);
}

export async function seedRecords(
  file: { customers: readonly CustomerConfig[]; providers: readonly ProviderConfig[] },
  state: DirectoryState, by: string, now: number,
): Promise<DirectoryRecord[]> {
  const out: DirectoryRecord[] = [];
  for (const c of file.customers) {
    const existing = state.get('customer', c.systemId);
    if (existing?.seed && (await sameCustomer(existing.seed, c))) continue;
    const entry = await customerEntry(c);
    out.push({ kind: 'customer', id: c.systemId, entry, seed: { digest: digestOf(customerShape(c)), passwordHash: entry.passwordHash as string }, at: now, by });
  }
  file.providers.forEach((p, index) => {
    const existing = state.get('provider', p.id);
    const digest = digestOf(providerEntry(p));
    if (existing?.seed?.digest === digest) return;
    // A provider keeps its slot for life; a new one takes its place in the file when free
    // (the partition it had before the directory existed).
    const slot = existing?.slot ?? state.nextSlot(index);
    out.push({ kind: 'provider', id: p.id, entry: providerEntry(p), seed: { digest, passwordHash: null }, slot, at: now, by });
  });
  for (const kind of ['customer', 'provider'] as const) {
    const listed = new Set(kind === 'customer' ? file.customers.map((c) => c.systemId) : file.providers.map((p) => p.id));
    for (const r of state.all(kind)) {
      if (r.seed === null || listed.has(r.id)) continue;
      out.push(removal(kind, r, by, now));
    }
  }
  return out;
}

function removal(kind: EntryKind, r: DirectoryRecord, by: string, now: number): DirectoryRecord {
  return { kind, id: r.id, entry: null, seed: null, ...(r.slot !== undefined ? { slot: r.slot } : {}), at: now, by };
}

async function sameCustomer(seed: Seed, c: CustomerConfig): Promise<boolean> {
  if (seed.digest !== digestOf(customerShape(c)) || seed.passwordHash === null) return false;
  if (c.passwordHash !== undefined) return c.passwordHash === seed.passwordHash;
  return verifyPassword(seed.passwordHash, c.password ?? '');
}

function customerShape(c: CustomerConfig): Record<string, unknown> {
  const { password: _p, passwordHash: _h, ...rest } = c;
  return plain(rest);
}

function digestOf(v: Record<string, unknown>): string {
  return createHash('sha256').update(canonical(v)).digest('hex');
}

/** JSON with keys in order, so equal entries have equal digests whatever their key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Without undefined fields, as JSON would carry it. */
function plain(v: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
}
