/** Shared by the outbound specs: a gateway configuration over simulators, and a customer that sends and counts receipts. */
import { Esme } from '../../../scripts/lib/esme-client.js';
import { brokers, waitFor } from '../../support/env.js';
import type { OutRecord } from '../../../src/kafka/writer.js';
import { encodeRecord } from '../../../src/domain/records.js';

export interface SimProvider {
  id: string;
  port: number;
  rate?: number;
  window?: number;
  [k: string]: unknown;
}

export function outboundConfig(prefix: string, providers: SimProvider[], routes: unknown[], extra: Record<string, unknown> = {}) {
  return {
    node: { id: `spec-${prefix.slice(0, -1).replace(/[^A-Za-z0-9_.-]/g, '')}`, shutdownTimeoutMs: 20000, threads: 2 },
    listeners: [{ name: 'smpp', host: '127.0.0.1', port: 0 }],
    session: { enquireLinkIntervalMs: 0 },
    kafka: { brokers, topicPrefix: prefix, partitions: 3 },
    redis: { keyPrefix: prefix },
    customers: [{ systemId: 'acme', password: 'acmepw', bindTypes: ['transceiver'] }],
    providers: providers.map(({ id, port, ...rest }) => ({ id, host: '127.0.0.1', port, systemId: 'gw', password: 'gwpass', rate: 500, window: 10, ...rest })),
    routes,
    delivery: { retryIntervalMs: 200 },
    ...extra,
  };
}

export interface Sent {
  id: string;
  text: string;
}

export async function bindCustomer(port: number): Promise<Esme> {
  const esme = await Esme.connect(port);
  const bind = await esme.bind('acme', 'acmepw');
  if (bind.command_status !== 0) throw new Error(`customer bind refused: ${bind.command_status}`);
  return esme;
}

/** Submits `n` messages (`label-i`), up to 20 unanswered at once; returns the ids the gateway gave. */
export async function submitMany(esme: Esme, label: string, n: number): Promise<Sent[]> {
  const sent: Sent[] = [];
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < n; i++) {
    const text = `${label}-${i}`;
    const p = esme.submit(`4477009${String(i).padStart(5, '0')}`, text).then((r) => {
      if (r.command_status !== 0 || !r.message_id) throw new Error(`submit ${text} refused: ${r.command_status}`);
      sent.push({ id: r.message_id, text });
    }).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= 20) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return sent;
}

/** The receipt stat each message got (from the receipt text), once every one has one. */
export async function receiptsFor(esme: Esme, sent: readonly Sent[], timeoutMs = 60000): Promise<Map<string, string>> {
  const statOf = () => {
    const m = new Map<string, string>();
    for (const d of esme.delivers) {
      if (d.receiptedMessageId) m.set(d.receiptedMessageId, /stat:(\w+)/.exec(d.text)?.[1] ?? '?');
    }
    return m;
  };
  return waitFor(`receipts for ${sent.length} messages`, () => {
    const m = statOf();
    return sent.every((s) => m.has(s.id)) ? m : undefined;
  }, timeoutMs, 100);
}

export const textOf = (pdu: { short_message?: Buffer }) => pdu.short_message?.toString('latin1') ?? '';

/** A record of provider-outgoing-messages for provider `p`, as the router writes it. */
export function routedRecord(topic: string, id: string, to: string, text = `text for ${to}`): OutRecord {
  return {
    topic, key: 'p', partition: 0, // the first provider's partition (src/actors/supplier/ownership.ts)
    value: encodeRecord({
      provider: 'p', routedAt: Date.now(),
      message: {
        id, customer: 'acme', source: { ton: 5, npi: 0, addr: 'SPEC' }, destination: { ton: 1, npi: 1, addr: to },
        serviceType: '', esmClass: 0, protocolId: 0, priority: 0, registeredDelivery: 1, dataCoding: 0,
        body: Buffer.from(text).toString('base64'), partIds: [id], acceptedAt: Date.now(), node: 'spec',
      },
    }),
  };
}
