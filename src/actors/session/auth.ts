/**
 * Bind authentication against the configured customers: system_id, source address, password,
 * bind type, in that order, each with its SMPP status. No I/O beyond the scrypt thread pool.
 */
import { BlockList, isIPv4 } from 'node:net';
import type { BindType, CustomerConfig } from '../../config/types.js';
import { SmppStatusError } from '../../errors.js';
import { Status } from '../../smpp/status.js';
import { samePlainPassword, verifyPassword } from './password.js';

export const BIND_COMMANDS: Readonly<Record<string, BindType>> = {
  bind_transmitter: 'transmitter',
  bind_receiver: 'receiver',
  bind_transceiver: 'transceiver',
};

/** The configured customers with their address allow-lists compiled once. */
export class CustomerDirectory {
  private readonly byId = new Map<string, { customer: CustomerConfig; allowed: BlockList | undefined }>();

  constructor(customers: readonly CustomerConfig[]) {
    for (const c of customers) this.byId.set(c.systemId, { customer: c, allowed: compileRanges(c.allowedIps) });
  }

  get(systemId: string): CustomerConfig | undefined {
    return this.byId.get(systemId)?.customer;
  }

  /**
   * The customer, or SmppStatusError: ESME_RINVSYSID unknown system_id, ESME_RBINDFAIL address
   * not allowed (checked before the password, so a foreign address learns nothing about it),
   * ESME_RINVPASWD wrong password, ESME_RBINDFAIL bind type not allowed.
   */
  async authenticate(systemId: string, password: string, bindType: BindType, remoteIp: string): Promise<CustomerConfig> {
    const entry = this.byId.get(systemId);
    if (!entry) throw new SmppStatusError('BIND_UNKNOWN_SYSTEM_ID', Status.ESME_RINVSYSID, `unknown system_id ${JSON.stringify(systemId)}`);
    const { customer, allowed } = entry;
    if (allowed && !ipAllowed(allowed, remoteIp))
      throw new SmppStatusError('BIND_ADDRESS_NOT_ALLOWED', Status.ESME_RBINDFAIL, `${systemId} may not bind from ${remoteIp}`);
    const ok = customer.passwordHash !== undefined
      ? await verifyPassword(customer.passwordHash, password)
      : samePlainPassword(customer.password ?? '', password);
    if (!ok) throw new SmppStatusError('BIND_BAD_PASSWORD', Status.ESME_RINVPASWD, `wrong password for ${systemId}`);
    if (!customer.bindTypes.includes(bindType))
      throw new SmppStatusError('BIND_TYPE_NOT_ALLOWED', Status.ESME_RBINDFAIL, `${systemId} may not bind as ${bindType}`);
    return customer;
  }
}

/** A BlockList of the ranges (used as an allow-list), or undefined for "any address". */
export function compileRanges(ranges: readonly string[]): BlockList | undefined {
  if (ranges.length === 0) return undefined;
  const list = new BlockList();
  for (const r of ranges) {
    const [addr = '', bits] = r.split('/');
    const type = isIPv4(addr) ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return list;
}

/** Peers on a dual-stack socket show as `::ffff:a.b.c.d`; match them against IPv4 ranges too. */
export function ipAllowed(list: BlockList, ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return list.check(mapped[1], 'ipv4') || list.check(ip, 'ipv6');
  return list.check(ip, isIPv4(ip) ? 'ipv4' : 'ipv6');
}

export function canTransmit(bindType: BindType): boolean {
  return bindType !== 'receiver';
}

export function canReceive(bindType: BindType): boolean {
  return bindType !== 'transmitter';
}
