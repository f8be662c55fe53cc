/**
 * The module graph of src/, read from the .ts sources: type-only imports count too, since a
 * cycle of interfaces is still a cycle to read and to move. Runs from dist/spec/unit/, so the
 * sources are found three levels up.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const srcDir = join(root, 'src');

// `import ... from`, `import type ... from`, `export ... from` (statements may span lines) and
// bare `import './x.js'`, each at the start of a line so commented-out imports are not read.
const importPattern = /^\s*(?:import|export)\s+(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** src-relative path with forward slashes: "runtime/actor.ts". */
const name = (path: string): string => relative(srcDir, path).split(sep).join('/');

function relativeImports(file: string): string[] {
  const out: string[] = [];
  for (const match of readFileSync(file, 'utf8').matchAll(importPattern)) {
    const specifier = match[1]!;
    if (!specifier.startsWith('.')) continue;
    const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
    // A specifier that resolves to nothing is tsc's to report, not the layering's.
    if (existsSync(target)) out.push(target);
  }
  return out;
}

function buildGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(srcDir)) {
    graph.set(name(file), [...new Set(relativeImports(file).filter((t) => t.startsWith(srcDir + sep)).map(name))]);
  }
  return graph;
}

/** Every cycle closed by a back edge of a depth-first walk, as "a.ts > b.ts > a.ts". */
function findCycles(graph: Map<string, string[]>): string[] {
  const done = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[] = [];
  const visit = (node: string): void => {
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (onStack.has(next)) cycles.push([...stack.slice(stack.indexOf(next)), next].join(' > '));
      else if (!done.has(next)) visit(next);
    }
    stack.pop();
    onStack.delete(node);
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) if (!done.has(node)) visit(node);
  return cycles;
}

function forbiddenImports(graph: Map<string, string[]>, from: string, to: readonly string[]): string[] {
  const out: string[] = [];
  for (const [file, imports] of graph) {
    if (!file.startsWith(`${from}/`)) continue;
    for (const target of imports) if (to.some((dir) => target.startsWith(`${dir}/`))) out.push(`${file} imports ${target}`);
  }
  return out.sort();
}

describe('module layers of src/', () => {
  const graph = buildGraph();

  it('reads the sources', () => {
    assert.ok(graph.size > 50, `only ${graph.size} .ts files found under ${srcDir}`);
    assert.ok(graph.get('runtime/index.ts')?.includes('runtime/system.ts'), 'runtime/index.ts should import runtime/system.ts');
  });

  it('has no import cycle, type-only imports included', () => {
    const cycles = findCycles(graph);
    assert.deepEqual(cycles, [], `import cycles:\n  ${cycles.join('\n  ')}`);
  });

  it('keeps the actor runtime free of the gateway: runtime/ imports no kafka, redis, config, actors, host or domain', () => {
    const bad = forbiddenImports(graph, 'runtime', ['kafka', 'redis', 'config', 'actors', 'host', 'domain']);
    assert.deepEqual(bad, [], bad.join('\n'));
  });

  it('keeps configuration below the actors: config/ imports nothing from actors/', () => {
    const bad = forbiddenImports(graph, 'config', ['actors']);
    assert.deepEqual(bad, [], bad.join('\n'));
  });

  it('keeps the domain pure: domain/ imports no actors, kafka, redis or host', () => {
    const bad = forbiddenImports(graph, 'domain', ['actors', 'kafka', 'redis', 'host']);
    assert.deepEqual(bad, [], bad.join('\n'));
  });
});
