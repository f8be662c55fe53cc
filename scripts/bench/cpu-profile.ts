/**
 * Where the CPU goes: a V8 .cpuprofile (what `node --cpu-prof` writes, one file per thread)
 * reduced to the functions with the most self time, and to areas (our folders, npm packages,
 * Node's internals, GC). Pure: profile objects in, rows out.
 */

export interface CallFrame {
  functionName: string;
  url: string;
  /** 0-based. */
  lineNumber: number;
  columnNumber: number;
  scriptId?: string | number;
}

export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds. */
  startTime: number;
  endTime: number;
  /** Node id of each sample, and the microseconds before each sample. */
  samples?: number[];
  timeDeltas?: number[];
}

export interface FunctionRow {
  name: string;
  /** file:line (1-based), shortened to the part after dist/ or node_modules/. */
  location: string;
  area: string;
  selfMs: number;
  /** Of the busy time (everything but idle). */
  selfPct: number;
}

export interface AreaRow {
  area: string;
  selfMs: number;
  selfPct: number;
}

export interface ProfileSummary {
  /** Profiles (threads) merged into this summary. */
  profiles: number;
  totalMs: number;
  idleMs: number;
  busyMs: number;
  functions: FunctionRow[];
  areas: AreaRow[];
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** The short location of a script url: after dist/ (our code), node_modules/ (packages), or as given. */
export function shortUrl(url: string): string {
  if (url === '') return '';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  const dist = url.lastIndexOf('/dist/');
  if (dist >= 0) return url.slice(dist + '/dist/'.length);
  return url.replace(/^file:\/\//, '');
}

/** The area a frame belongs to: `src/smpp`, `scripts`, an npm package, `node:net`, `(gc)`... */
export function areaOf(frame: Pick<CallFrame, 'functionName' | 'url'>): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return '(gc)';
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(program)') return '(program)';
    if (functionName === '(root)') return '(root)';
    return '(native)';
  }
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) {
    const mod = url.slice(5).replace(/^internal\//, '').split('/')[0]!;
    return `node:${mod}`;
  }
  const short = shortUrl(url);
  const m = /^(src\/[^/]+|spec|scripts)\//.exec(short);
  if (m) return m[1]!;
  if (/^src\/[^/]+\.js$/.test(short)) return 'src';
  return 'other';
}

/** Self time per profile node, microseconds: each sample lasts until the next one. */
export function selfTimesUs(p: CpuProfile): Map<number, number> {
  const out = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  if (samples.length > 0 && deltas.length === samples.length) {
    let t = p.startTime;
    const stamps = deltas.map((d) => (t += d));
    for (let i = 0; i < samples.length; i++) {
      const end = i + 1 < samples.length ? stamps[i + 1]! : Math.max(stamps[i]!, p.endTime);
      const dur = Math.max(0, end - stamps[i]!);
      out.set(samples[i]!, (out.get(samples[i]!) ?? 0) + dur);
    }
    return out;
  }
  // Profiles without samples: hit counts spread evenly over the profile's duration.
  const hits = p.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0);
  const per = hits > 0 ? (p.endTime - p.startTime) / hits : 0;
  for (const n of p.nodes) if (n.hitCount) out.set(n.id, n.hitCount * per);
  return out;
}

const functionKey = (f: CallFrame) => `${f.functionName}\u0000${f.url}\u0000${f.lineNumber}`;

/** Merges one or more profiles (threads of one process, or several processes) into one summary. */
export function summarizeProfiles(profiles: readonly CpuProfile[], top = 25): ProfileSummary {
  const byFunction = new Map<string, { frame: CallFrame; us: number }>();
  const byArea = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const p of profiles) {
    const frames = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
    for (const [id, us] of selfTimesUs(p)) {
      const frame = frames.get(id);
      if (!frame || us === 0) continue;
      totalUs += us;
      const area = areaOf(frame);
      if (area === '(idle)') {
        idleUs += us;
        continue;
      }
      byArea.set(area, (byArea.get(area) ?? 0) + us);
      const key = functionKey(frame);
      const cur = byFunction.get(key);
      if (cur) cur.us += us;
      else byFunction.set(key, { frame, us });
    }
  }
  const busyUs = totalUs - idleUs;
  const pct = (us: number) => (busyUs > 0 ? round1((us / busyUs) * 100) : 0);
  const functions = [...byFunction.values()]
    .sort((a, b) => b.us - a.us || a.frame.functionName.localeCompare(b.frame.functionName))
    .slice(0, top)
    .map(({ frame, us }): FunctionRow => ({
      name: frame.functionName || '(anonymous)',
      location: frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '',
      area: areaOf(frame),
      selfMs: round1(us / 1000),
      selfPct: pct(us),
    }));
  const areas = [...byArea.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([area, us]): AreaRow => ({ area, selfMs: round1(us / 1000), selfPct: pct(us) }));
  return { profiles: profiles.length, totalMs: round1(totalUs / 1000), idleMs: round1(idleUs / 1000), busyMs: round1(busyUs / 1000), functions, areas };
}

/** Throws when the object is not a V8 CPU profile. */
export function asCpuProfile(raw: unknown, name = 'profile'): CpuProfile {
  const p = raw as Partial<CpuProfile> | null;
  if (!p || !Array.isArray(p.nodes) || typeof p.startTime !== 'number' || typeof p.endTime !== 'number') {
    throw new TypeError(`${name} is not a V8 .cpuprofile (needs nodes, startTime, endTime)`);
  }
  return p as CpuProfile;
}

/** The summary as markdown: busy time, areas, then the top functions. */
export function renderProfileTable(s: ProfileSummary, maxAreas = 12): string {
  const lines: string[] = [];
  lines.push(`${s.profiles} thread profile(s), ${s.totalMs.toFixed(0)} ms sampled, ${s.busyMs.toFixed(0)} ms busy (${s.totalMs > 0 ? ((s.busyMs / s.totalMs) * 100).toFixed(1) : '0'} %), idle excluded below.`);
  lines.push('');
  lines.push('| area | self ms | % of busy |');
  lines.push('|---|---|---|');
  for (const a of s.areas.slice(0, maxAreas)) lines.push(`| ${a.area} | ${a.selfMs.toFixed(1)} | ${a.selfPct.toFixed(1)} |`);
  lines.push('');
  lines.push('| # | function | where | self ms | % of busy |');
  lines.push('|---|---|---|---|---|');
  s.functions.forEach((f, i) => lines.push(`| ${i + 1} | \`${f.name.replace(/\|/g, '\\|')}\` | ${f.location || f.area} | ${f.selfMs.toFixed(1)} | ${f.selfPct.toFixed(1)} |`));
  return lines.join('\n');
}
