/** Reads the configuration file (YAML or JSON) once at start-up, and the PEM files it names. */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ConfigError, errorMessage } from '../errors.js';
import { checkTlsFiles } from './pem-files.js';
import type { GatewayConfig } from './types.js';
import { envOverrides, validateConfig, type ValidateOptions } from './validate.js';

export async function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env, options: ValidateOptions = {}): Promise<GatewayConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError('--config', `cannot read ${path}: ${errorMessage(err)}`);
  }
  const config = parseConfigText(text, path, env, options);
  checkTlsFiles(config);
  return config;
}

export function parseConfigText(text: string, source: string, env: NodeJS.ProcessEnv = {}, options: ValidateOptions = {}): GatewayConfig {
  let raw: unknown;
  try {
    raw = source.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError('(file)', `${source} is not valid ${source.endsWith('.json') ? 'JSON' : 'YAML'}: ${errorMessage(err)}`);
  }
  return validateConfig(raw, envOverrides(env), options);
}
