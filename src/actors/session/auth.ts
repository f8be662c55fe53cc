/** Bind authentication against the configured customers. Pure. */
import { timingSafeEqual } from 'node:crypto';
import type { BindType, CustomerConfig } from '../../config/types.js';
import { SmppStatusError } from '../../errors.js';
import { Status } from '../../smpp/status.js';

export const BIND_COMMANDS: Readonly<Record<string, BindType>> = {
  bind_transmitter: 'transmitter',
  bind_receiver: 'receiver',
  bind_transceiver: 'transceiver',
};

export function authenticate(
  customers: readonly CustomerConfig[],
  systemId: string,
  password: string,
  bindType: BindType,
): CustomerConfig {
  const customer = customers.find((c) => c.systemId === systemId);
  if (!customer) throw new SmppStatusError('BIND_UNKNOWN_SYSTEM_ID', Status.ESME_RINVSYSID, `unknown system_id ${JSON.stringify(systemId)}`);
  if (!samePassword(customer.password, password))
    throw new SmppStatusError('BIND_BAD_PASSWORD', Status.ESME_RINVPASWD, `wrong password for ${systemId}`);
  if (!customer.bindTypes.includes(bindType))
    throw new SmppStatusError('BIND_TYPE_NOT_ALLOWED', Status.ESME_RBINDFAIL, `${systemId} may not bind as ${bindType}`);
  return customer;
}

function samePassword(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  // Constant time for equal lengths; a length mismatch is already a mismatch.
  return a.length === b.length && timingSafeEqual(a, b);
}

export function canTransmit(bindType: BindType): boolean {
  return bindType !== 'receiver';
}

export function canReceive(bindType: BindType): boolean {
  return bindType !== 'transmitter';
}
