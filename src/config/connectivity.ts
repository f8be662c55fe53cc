/**
 * Readers of the settings that secure connections the gateway makes: `kafka.ssl`,
 * `kafka.sasl` and `providers[].tls`. Pure like the rest of validation: files are only named
 * here; src/config/pem-files.ts reads them.
 */
import { ConfigError } from '../errors.js';
import type { Fields } from './fields.js';
import { SASL_MECHANISMS, type SaslConfig, type TlsClientConfig } from './types.js';

/**
 * `true` (the system's CAs), `false` or absent (no TLS), or
 * `{ ca, cert, key, rejectUnauthorized, servername }` with PEM file paths.
 */
export function readTlsClient(f: Fields, key: string): TlsClientConfig | undefined {
  if (f.isBoolean(key)) return f.bool(key) ? { ...NO_FILES } : undefined;
  let t: Fields;
  try {
    // Read even when absent or null, so `key: null` is taken as "not set" rather than unknown.
    t = f.obj(key);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new ConfigError(err.field, 'must be true, false or a mapping { ca, cert, key, rejectUnauthorized, servername }', err.value);
  }
  if (!f.has(key)) return undefined;
  const file = (name: 'ca' | 'cert' | 'key') => {
    if (!t.has(name)) return undefined;
    const path = t.str(name);
    // Not echoed: it may be a private key pasted where its file's path belongs.
    if (path.includes('-----BEGIN')) throw new ConfigError(`${t.path}.${name}`, 'must be the path of a PEM file, not the PEM text itself');
    if (path.trim() === '') throw new ConfigError(`${t.path}.${name}`, 'must be the path of a PEM file', path);
    return path;
  };
  const out: TlsClientConfig = {
    ca: file('ca'),
    cert: file('cert'),
    key: file('key'),
    rejectUnauthorized: t.bool('rejectUnauthorized', true),
    servername: t.has('servername') ? t.str('servername', { pattern: /^[A-Za-z0-9.-]+$/, hint: 'must be a host name' }) : undefined,
  };
  t.done();
  if ((out.cert === undefined) !== (out.key === undefined)) {
    const missing = out.cert === undefined ? 'cert' : 'key';
    throw new ConfigError(`${t.path}.${missing}`, `is required with ${missing === 'cert' ? 'key' : 'cert'} (a client certificate needs its private key, and the reverse)`);
  }
  return out;
}

const NO_FILES: TlsClientConfig = { ca: undefined, cert: undefined, key: undefined, rejectUnauthorized: true, servername: undefined };

/** `{ mechanism: plain | scram-sha-256 | scram-sha-512, username, password }`, or absent. */
export function readSasl(f: Fields, key: string): SaslConfig | undefined {
  const s = f.obj(key);
  if (!f.has(key)) return undefined;
  const out: SaslConfig = {
    mechanism: s.oneOf('mechanism', SASL_MECHANISMS),
    username: s.str('username', { pattern: /./, hint: 'must not be empty' }),
    password: s.str('password', { pattern: /./, hint: 'must not be empty' }),
  };
  s.done();
  return out;
}
