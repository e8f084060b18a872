/** Dependency order of gold models (Kahn's algorithm, ties broken by name so the order is stable). */
import { ModelCycle } from './errors.js';

/**
 * `names` ordered so every model comes after the models it reads (`deps`: model → models it
 * reads). Throws `TRB_SCHEMA_MODEL_CYCLE` naming a cycle.
 */
export function dependencyOrder(names: readonly string[], deps: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const indeg = new Map(names.map((n) => [n, 0]));
  const readers = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const n of names) {
    for (const d of deps.get(n) ?? []) {
      if (!indeg.has(d) || d === n) continue;
      indeg.set(n, indeg.get(n)! + 1);
      readers.get(d)!.push(n);
    }
  }
  const ready = names.filter((n) => indeg.get(n) === 0).sort();
  const out: string[] = [];
  while (ready.length > 0) {
    const n = ready.shift()!;
    out.push(n);
    for (const r of readers.get(n)!) {
      indeg.set(r, indeg.get(r)! - 1);
      if (indeg.get(r) === 0) { ready.push(r); ready.sort(); }
    }
  }
  if (out.length < names.length) {
    const left = names.filter((n) => !out.includes(n)).sort();
    throw ModelCycle({ cycle: findCycle(left, deps) ?? left.join(', ') });
  }
  return out;
}

function findCycle(left: readonly string[], deps: ReadonlyMap<string, ReadonlySet<string>>): string | undefined {
  const inLeft = new Set(left);
  for (const start of left) {
    const path: string[] = [start];
    const seen = new Set([start]);
    let cur = start;
    for (;;) {
      const next = [...(deps.get(cur) ?? [])].filter((d) => inLeft.has(d)).sort()[0];
      if (next === undefined) break;
      if (next === start || seen.has(next)) return [...path.slice(path.indexOf(next)), next].join(' → ');
      path.push(next); seen.add(next); cur = next;
    }
  }
  return undefined;
}
