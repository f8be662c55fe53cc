#!/usr/bin/env node
/**
 * `node dist/scripts/mint-api-key.js`: makes a new HTTP API key. Prints the key (give it to the
 * customer; it is shown this once) and the digest to put in the customer's `apiKeys` list. The
 * gateway keeps only the digest; to revoke the key, remove the digest (its id is printed too).
 */
import { apiKeyDigest, apiKeyId, mintApiKey } from '../src/domain/api-keys.js';
import { readCommandLine } from '../src/command-line.js';

const USAGE = 'usage: mint-api-key\nprints a new API key, and the sha256$<hex> digest for customers[].apiKeys';
readCommandLine(process.argv.slice(2), USAGE, { options: { help: { type: 'boolean', short: 'h' } } });
const key = mintApiKey();
const digest = apiKeyDigest(key);
process.stdout.write(`key:    ${key}\ndigest: ${digest}\nid:     ${apiKeyId(digest)}\n`);
