/**
 * `node dist/scripts/bench/profile-top.js <file.cpuprofile|dir>... [--top 25] [--each]`
 *
 * Prints where the CPU went in one or more V8 CPU profiles (directories: every .cpuprofile in
 * them, e.g. the main thread and the worker threads of one gateway node) as markdown: busy
 * time by area and the functions with the most self time, merged; `--each` adds one table per
 * file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { asCpuProfile, renderProfileTable, summarizeProfiles, type CpuProfile } from './cpu-profile.js';

/** The .cpuprofile files named, directories expanded (sorted). */
export function profileFiles(paths: readonly string[]): string[] {
  return paths.flatMap((p) => (statSync(p).isDirectory()
    ? readdirSync(p).filter((f) => f.endsWith('.cpuprofile')).sort().map((f) => join(p, f))
    : [p]));
}

export function readProfile(file: string): CpuProfile {
  return asCpuProfile(JSON.parse(readFileSync(file, 'utf8')), file);
}

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: { top: { type: 'string' }, each: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write('usage: node dist/scripts/bench/profile-top.js <file.cpuprofile|dir>... [--top 25] [--each]\n');
    return values.help ? 0 : 2;
  }
  const top = values.top === undefined ? 25 : Number(values.top);
  if (!Number.isInteger(top) || top < 1) {
    process.stderr.write(`--top: must be a positive integer (got ${values.top})\n`);
    return 2;
  }
  const files = profileFiles(positionals);
  if (files.length === 0) {
    process.stderr.write('no .cpuprofile files found\n');
    return 2;
  }
  const profiles = files.map(readProfile);
  const out: string[] = [];
  if (values.each) {
    files.forEach((f, i) => out.push(`### ${basename(f)}`, '', renderProfileTable(summarizeProfiles([profiles[i]!], top)), ''));
  }
  out.push(`### ${files.length === 1 ? basename(files[0]!) : `${files.length} profiles merged`}`, '', renderProfileTable(summarizeProfiles(profiles, top)), '');
  process.stdout.write(out.join('\n'));
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
