/** Builders and a driver for the assembler's pure logic. */
import type { DeliveryRecord, MessageRecord, PartRecord } from '../../../src/domain/records.js';
import { applyPart, emptyState, expire, type AssemblyState } from '../../../src/actors/assembler/assembly.js';
import type { ChangelogRecord } from '../../../src/actors/assembler/changelog.js';
import { resolveAssemblerOptions, type AssemblerOptions } from '../../../src/actors/assembler/options.js';
import type { AssemblyEvent, AssemblyOutput } from '../../../src/actors/assembler/outputs.js';

let nextId = 0;

export function text(s: string): string {
  return Buffer.from(s, 'latin1').toString('base64');
}

/** A part of message `ref`/`total`; body defaults to `<ref>/<seq>` so order is visible. */
export function part(fields: Partial<PartRecord> & Pick<PartRecord, 'ref' | 'total' | 'seq'>): PartRecord {
  return {
    customer: 'acme',
    partId: `p${++nextId}`,
    scheme: 'udh8',
    source: { ton: 5, npi: 0, addr: 'ACME' },
    destination: { ton: 1, npi: 1, addr: '447700900001' },
    serviceType: '',
    esmClass: 0x40,
    protocolId: 0,
    priority: 0,
    registeredDelivery: 1,
    dataCoding: 0,
    body: text(`[${fields.ref}:${fields.seq}]`),
    acceptedAt: 1_000,
    node: 'n1',
    ...fields,
  };
}

/** Every part of one message, in order. */
export function message(ref: number, total: number, fields: Partial<PartRecord> = {}): PartRecord[] {
  return Array.from({ length: total }, (_, i) => part({ ref, total, seq: i + 1, ...fields }));
}

export function opts(o: Partial<AssemblerOptions> = {}) {
  return resolveAssemblerOptions({ timeoutMs: 60_000, recentMs: 120_000, nodeId: 'node-a', ...o });
}

/** Feeds parts and expiry ticks, keeping every output and the changelog as Kafka would hold it. */
export class Driver {
  state: AssemblyState = emptyState();
  readonly outputs: AssemblyOutput[] = [];
  readonly changelog: ChangelogRecord[] = [];
  now = 10_000;

  constructor(readonly options = opts()) {}

  feed(...parts: PartRecord[]): AssemblyOutput[] {
    const out: AssemblyOutput[] = [];
    for (const p of parts) out.push(...this.take(applyPart(this.state, p, this.now, this.options)));
    return out;
  }

  tick(ms: number): AssemblyOutput[] {
    this.now += ms;
    return this.take(expire(this.state, this.now, this.options));
  }

  private take(step: { state: AssemblyState; outputs: AssemblyOutput[] }): AssemblyOutput[] {
    this.state = step.state;
    this.outputs.push(...step.outputs);
    for (const o of step.outputs) if (o.kind === 'changelog') this.changelog.push(roundTrip({ key: o.key, value: o.value }));
    return step.outputs;
  }
}

/** Through JSON, as the changelog topic carries it. */
export function roundTrip<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export const messages = (out: AssemblyOutput[]): MessageRecord[] => out.flatMap((o) => (o.kind === 'message' ? [o.message] : []));
export const receipts = (out: AssemblyOutput[]): DeliveryRecord[] => out.flatMap((o) => (o.kind === 'receipt' ? [o.receipt] : []));
export const events = (out: AssemblyOutput[], type?: AssemblyEvent['type']): AssemblyEvent[] =>
  out.flatMap((o) => (o.kind === 'event' && (type === undefined || o.event.type === type) ? [o.event] : []));
export const writes = (out: AssemblyOutput[]) => out.flatMap((o) => (o.kind === 'changelog' ? [{ key: o.key, value: o.value }] : []));

export function decoded(m: MessageRecord): string {
  return Buffer.from(m.body, 'base64').toString('latin1');
}

/** A small seeded PRNG (mulberry32), so a failing property run can be repeated from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
