/**
 * Actor addresses. An address is plain data (two strings) so it can cross a worker-thread
 * boundary, sit in a Kafka record or a log line, and be compared by value; nothing here holds
 * a reference to a live actor.
 */
import { GatewayError } from '../errors.js';

export interface Address {
  readonly system: string;
  readonly path: string;
}

const SCHEME = 'actor://';
// Names become URL-ish path segments; these characters would make an address ambiguous.
const FORBIDDEN = /[\s/#?]/;
const MAX_NAME_LENGTH = 200;

export class InvalidAddressError extends GatewayError {
  constructor(message: string) {
    super('ADDRESS_INVALID', message);
  }
}

export function isValidName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_NAME_LENGTH && !FORBIDDEN.test(name);
}

export function assertValidName(name: string, what = 'actor name'): void {
  if (!isValidName(name)) {
    throw new InvalidAddressError(
      `${what} ${JSON.stringify(name)} must be 1..${MAX_NAME_LENGTH} characters without whitespace, '/', '#' or '?'`,
    );
  }
}

/** The address of a top-level actor of `system`. */
export function rootAddress(system: string, name: string): Address {
  assertValidName(system, 'system name');
  assertValidName(name);
  return { system, path: `/${name}` };
}

export function childAddress(parent: Address, name: string): Address {
  assertValidName(name);
  return { system: parent.system, path: `${parent.path}/${name}` };
}

/** The parent's address, or null for a top-level actor. */
export function parentAddress(address: Address): Address | null {
  const cut = address.path.lastIndexOf('/');
  return cut <= 0 ? null : { system: address.system, path: address.path.slice(0, cut) };
}

export function pathSegments(address: Address): string[] {
  return address.path.split('/').slice(1);
}

export function addressName(address: Address): string {
  return address.path.slice(address.path.lastIndexOf('/') + 1);
}

/** 0 for a top-level actor; children are one deeper than their parent. */
export function addressDepth(address: Address): number {
  return pathSegments(address).length - 1;
}

export function sameAddress(a: Address, b: Address): boolean {
  return a.system === b.system && a.path === b.path;
}

export function formatAddress(address: Address): string {
  return `${SCHEME}${address.system}${address.path}`;
}

export function parseAddress(text: string): Address {
  if (!text.startsWith(SCHEME)) throw new InvalidAddressError(`address ${JSON.stringify(text)} must start with ${SCHEME}`);
  const rest = text.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) throw new InvalidAddressError(`address ${JSON.stringify(text)} has no system or no path`);
  const system = rest.slice(0, slash);
  const path = rest.slice(slash);
  if (!isValidName(system)) throw new InvalidAddressError(`address ${JSON.stringify(text)} has an invalid system name`);
  const segments = path.split('/').slice(1);
  if (!segments.every(isValidName)) throw new InvalidAddressError(`address ${JSON.stringify(text)} has an invalid path`);
  return { system, path };
}
