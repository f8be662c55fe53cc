#!/usr/bin/env node
/**
 * `node dist/scripts/hash-password.js [password]`: prints the `passwordHash` to put in a
 * customer's configuration. Without an argument the password is read from stdin (one line),
 * so it stays out of the shell history.
 */
import { createInterface } from 'node:readline';
import { hashPassword } from '../src/actors/session/password.js';
import { readCommandLine, usageExit } from '../src/command-line.js';

async function readLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin, terminal: false });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return '';
}

const USAGE = 'usage: hash-password [password]   (or the password on stdin)\nprints scrypt$<salt>$<hash> for customers[].passwordHash';
const { positionals } = readCommandLine(process.argv.slice(2), USAGE, { options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
if (positionals.length > 1) usageExit(USAGE, `one password at most (got ${positionals.length} arguments)`);
const arg = positionals[0];
{
  const password = arg ?? (await readLine());
  if (password.length === 0 || password.length > 8) {
    process.stderr.write('the password must be 1 to 8 characters (SMPP 3.4 limit)\n');
    process.exit(2);
  }
  process.stdout.write(`${await hashPassword(password)}\n`);
}
