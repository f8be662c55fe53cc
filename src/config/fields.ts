/**
 * Typed readers over untrusted parsed YAML/JSON. Each reader knows its field path, so every
 * error names the field and the bad value (`providers[0].port: must be an integer ...`).
 */
import { ConfigError } from '../errors.js';

type Raw = Record<string, unknown>;

export class Fields {
  private readonly seen = new Set<string>();
  constructor(readonly path: string, private readonly raw: Raw) {}

  static root(raw: unknown): Fields {
    if (raw === null || raw === undefined) return new Fields('', {});
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('(root)', 'must be a mapping', raw);
    return new Fields('', raw as Raw);
  }

  private at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  private get(key: string): unknown {
    this.seen.add(key);
    return this.raw[key];
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  isNumber(key: string): boolean {
    return typeof this.raw[key] === 'number';
  }

  isBoolean(key: string): boolean {
    return typeof this.raw[key] === 'boolean';
  }

  str(key: string, opts: { default?: string; pattern?: RegExp; maxLength?: number; hint?: string } = {}): string {
    const v = this.get(key);
    if (v === undefined || v === null) {
      if (opts.default !== undefined) return opts.default;
      throw new ConfigError(this.at(key), 'is required');
    }
    if (typeof v !== 'string') throw new ConfigError(this.at(key), 'must be a string', v);
    if (opts.maxLength !== undefined && v.length > opts.maxLength)
      throw new ConfigError(this.at(key), `must be at most ${opts.maxLength} characters`, v);
    if (opts.pattern && !opts.pattern.test(v))
      throw new ConfigError(this.at(key), opts.hint ?? `must match ${opts.pattern}`, v);
    return v;
  }

  int(key: string, opts: { default?: number; min?: number; max?: number } = {}): number {
    const v = this.get(key);
    if (v === undefined || v === null) {
      if (opts.default !== undefined) return opts.default;
      throw new ConfigError(this.at(key), 'is required');
    }
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new ConfigError(this.at(key), 'must be an integer', v);
    if (opts.min !== undefined && v < opts.min) throw new ConfigError(this.at(key), `must be >= ${opts.min}`, v);
    if (opts.max !== undefined && v > opts.max) throw new ConfigError(this.at(key), `must be <= ${opts.max}`, v);
    return v;
  }

  num(key: string, opts: { default?: number; min?: number; max?: number } = {}): number {
    const v = this.get(key);
    if (v === undefined || v === null) {
      if (opts.default !== undefined) return opts.default;
      throw new ConfigError(this.at(key), 'is required');
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(this.at(key), 'must be a number', v);
    if (opts.min !== undefined && v < opts.min) throw new ConfigError(this.at(key), `must be >= ${opts.min}`, v);
    if (opts.max !== undefined && v > opts.max) throw new ConfigError(this.at(key), `must be <= ${opts.max}`, v);
    return v;
  }

  bool(key: string, def?: boolean): boolean {
    const v = this.get(key);
    if (v === undefined || v === null) {
      if (def !== undefined) return def;
      throw new ConfigError(this.at(key), 'is required');
    }
    if (typeof v !== 'boolean') throw new ConfigError(this.at(key), 'must be true or false', v);
    return v;
  }

  /** The keys present, for mappings whose keys are names (customer groups). */
  keys(): string[] {
    return Object.keys(this.raw);
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], def?: T): T {
    const v = this.get(key);
    if (v === undefined || v === null) {
      if (def !== undefined) return def;
      throw new ConfigError(this.at(key), `is required (one of ${allowed.join(', ')})`);
    }
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v))
      throw new ConfigError(this.at(key), `must be one of ${allowed.join(', ')}`, v);
    return v as T;
  }

  obj(key: string, required = false): Fields {
    const v = this.get(key);
    if (v === undefined || v === null) {
      if (required) throw new ConfigError(this.at(key), 'is required');
      return new Fields(this.at(key), {});
    }
    if (typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(this.at(key), 'must be a mapping', v);
    return new Fields(this.at(key), v as Raw);
  }

  list(key: string, opts: { required?: boolean; minLength?: number } = {}): unknown[] {
    const v = this.get(key);
    if (v === undefined || v === null) {
      if (opts.required) throw new ConfigError(this.at(key), 'is required');
      return [];
    }
    if (!Array.isArray(v)) throw new ConfigError(this.at(key), 'must be a list', v);
    if (opts.minLength !== undefined && v.length < opts.minLength)
      throw new ConfigError(this.at(key), `must have at least ${opts.minLength} item(s)`, v);
    return v;
  }

  /** A list of mappings, each read by `read` with its own indexed path. */
  objects<T>(key: string, read: (f: Fields, index: number) => T, opts: { required?: boolean; minLength?: number } = {}): T[] {
    return this.list(key, opts).map((item, i) => {
      const path = `${this.at(key)}[${i}]`;
      if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new ConfigError(path, 'must be a mapping', item);
      const f = new Fields(path, item as Raw);
      const out = read(f, i);
      f.done();
      return out;
    });
  }

  /** A list whose items `read` interprets itself (a string or a mapping, say), each with its indexed path. */
  items<T>(key: string, read: (item: unknown, path: string) => T, opts: { required?: boolean; minLength?: number } = {}): T[] {
    return this.list(key, opts).map((item, i) => read(item, `${this.at(key)}[${i}]`));
  }

  strings(key: string, opts: { required?: boolean; allowed?: readonly string[]; default?: readonly string[] } = {}): string[] {
    if (!this.has(key) && opts.default) {
      this.get(key);
      return [...opts.default];
    }
    return this.list(key, opts).map((item, i) => {
      const path = `${this.at(key)}[${i}]`;
      if (typeof item !== 'string') throw new ConfigError(path, 'must be a string', item);
      if (opts.allowed && !opts.allowed.includes(item)) throw new ConfigError(path, `must be one of ${opts.allowed.join(', ')}`, item);
      return item;
    });
  }

  /** Reject keys nobody read: a typo such as `prot:` must not silently fall back to a default. */
  done(): void {
    for (const key of Object.keys(this.raw)) {
      if (!this.seen.has(key)) throw new ConfigError(this.at(key), 'is not a known setting');
    }
  }
}
