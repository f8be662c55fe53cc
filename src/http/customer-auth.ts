/**
 * Who an HTTP request comes from: HTTP Basic with the customer's systemId and password (the
 * ones it binds with over SMPP), or one of its API keys (`Authorization: Bearer <key>` or
 * `X-API-Key: <key>`), kept in the configuration only as SHA-256 digests (src/domain/api-keys.ts). Then
 * the same checks as a bind: the address allow-list, and an operator's block.
 *
 * scrypt makes a password check cost tens of milliseconds by design; a request API would pay
 * it on every call. A verified password is therefore remembered (as a SHA-256 of systemId and
 * password, never the password) for a few minutes, and forgotten when customers change.
 */
import { createHash } from 'node:crypto';
import type { CustomerConfig } from '../config/types.js';
import type { CustomerOverrides } from '../control/customer-controls.js';
import { compileRanges, ipAllowed } from '../actors/session/auth.js';
import { samePlainPassword, verifyPassword } from '../actors/session/password.js';
import { apiKeyDigest } from '../domain/api-keys.js';
import { HttpError } from './http-error.js';

/** How long a verified password is taken without scrypt again. */
const VERIFIED_TTL_MS = 5 * 60_000;
const VERIFIED_MAX = 10_000;

export interface Credentials {
  authorization?: string | undefined;
  apiKey?: string | undefined;
}

interface Entry {
  customer: CustomerConfig;
  allowed: ReturnType<typeof compileRanges>;
}

export class HttpCustomers {
  private readonly byId = new Map<string, Entry>();
  private readonly byKey = new Map<string, Entry>();
  private readonly verified = new Map<string, { systemId: string; until: number }>();

  constructor(customers: readonly CustomerConfig[], private readonly overrides: CustomerOverrides) {
    for (const c of customers) {
      const e = { customer: c, allowed: compileRanges(c.allowedIps) };
      this.byId.set(c.systemId, e);
      for (const k of c.apiKeys ?? []) this.byKey.set(k, e);
    }
  }

  /** The customer a request comes from, or HttpError 401 (who?) or 403 (not allowed). */
  async authenticate(c: Credentials, remoteIp: string, now = Date.now()): Promise<CustomerConfig> {
    const entry = await this.identify(c, now);
    const { customer, allowed } = entry;
    if (allowed && !ipAllowed(allowed, remoteIp)) throw new HttpError(403, 'ADDRESS_NOT_ALLOWED', `${customer.systemId} may not send from ${remoteIp}`);
    if (this.overrides.isBlocked(customer.systemId)) throw new HttpError(403, 'CUSTOMER_BLOCKED', `${customer.systemId} is blocked by an operator`);
    return customer;
  }

  /** By its systemId and password (Kannel's username and password), as Basic gives them. */
  async withPassword(systemId: string, password: string, now = Date.now()): Promise<CustomerConfig> {
    const entry = this.byId.get(systemId);
    if (!entry) throw badCredentials();
    const memo = createHash('sha256').update(systemId).update('\0').update(password).digest('base64');
    const seen = this.verified.get(memo);
    if (seen && seen.until > now && seen.systemId === systemId) return entry.customer;
    const { customer } = entry;
    const ok = customer.passwordHash !== undefined
      ? await verifyPassword(customer.passwordHash, password)
      : samePlainPassword(customer.password ?? '', password);
    if (!ok) throw badCredentials();
    if (this.verified.size >= VERIFIED_MAX) this.verified.clear();
    this.verified.set(memo, { systemId, until: now + VERIFIED_TTL_MS });
    return customer;
  }

  private async identify(c: Credentials, now: number): Promise<Entry> {
    const auth = c.authorization?.trim();
    if (auth !== undefined && /^basic\s/i.test(auth)) {
      const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw badCredentials();
      const customer = await this.withPassword(decoded.slice(0, colon), decoded.slice(colon + 1), now);
      return this.byId.get(customer.systemId)!;
    }
    const key = auth !== undefined && /^bearer\s/i.test(auth) ? auth.slice(7).trim() : c.apiKey?.trim();
    if (key !== undefined && key !== '') {
      const entry = this.byKey.get(apiKeyDigest(key));
      if (!entry) throw badCredentials();
      return entry;
    }
    throw new HttpError(401, 'UNAUTHENTICATED', 'credentials needed: HTTP Basic (systemId and password) or an API key (Authorization: Bearer, or X-API-Key)');
  }
}

function badCredentials(): HttpError {
  return new HttpError(401, 'BAD_CREDENTIALS', 'unknown customer, wrong password or unknown API key');
}
