/**
 * The PEM files of `kafka.ssl` and `providers[].tls`. The configuration keeps their paths (plain
 * data, cloned into every worker thread, and no key material in it); they are read here:
 * - once when the configuration file is loaded (start-up, every reload): `checkTlsFiles`, so a
 *   missing, unreadable or mismatched file stops the start with a ConfigError naming the field;
 * - again where each connection is made: `tlsClientOptions`, by createKafka (each thread's
 *   Kafka client) and by every connect of a provider bind (a renewed certificate is picked up on
 *   the next reconnect).
 * Listeners (`listeners[].tls`) read theirs when they start (src/actors/session/edge.ts).
 */
import { readFileSync } from 'node:fs';
import { createSecureContext, type ConnectionOptions } from 'node:tls';
import { ConfigError, errorMessage } from '../errors.js';
import type { GatewayConfig, TlsClientConfig } from './types.js';

/** node:tls options for a connection configured by `config`; `field` names it in errors (`kafka.ssl`). */
export function tlsClientOptions(config: TlsClientConfig, field: string): ConnectionOptions {
  const read = (name: 'ca' | 'cert' | 'key'): string | undefined => {
    const path = config[name];
    if (path === undefined) return undefined;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigError(`${field}.${name}`, `cannot be read: ${errorMessage(err)}`, path);
    }
    if (!text.includes('-----BEGIN ')) throw new ConfigError(`${field}.${name}`, 'is not a PEM file (no -----BEGIN line)', path);
    return text;
  };
  const ca = read('ca');
  const cert = read('cert');
  const key = read('key');
  return {
    rejectUnauthorized: config.rejectUnauthorized,
    ...(ca === undefined ? {} : { ca: [ca] }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(config.servername === undefined ? {} : { servername: config.servername }),
  };
}

/**
 * Reads every TLS client file the configuration names and builds its TLS context once, so a
 * file that is missing, not PEM, or a key that does not match its certificate is a ConfigError
 * at load rather than a connection that keeps failing.
 */
export function checkTlsFiles(config: GatewayConfig): void {
  const check = (tls: TlsClientConfig | undefined, field: string) => {
    if (!tls) return;
    const options = tlsClientOptions(tls, field);
    try {
      createSecureContext(options);
    } catch (err) {
      // OpenSSL's reason (a key that does not match the certificate, a certificate it cannot parse).
      throw new ConfigError(field, `its files do not make a TLS context: ${errorMessage(err)}`);
    }
  };
  check(config.kafka.ssl, 'kafka.ssl');
  config.providers.forEach((p, i) => check(p.tls, `providers[${i}].tls`));
}
