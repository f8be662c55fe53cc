/**
 * Property-style specs: seeded random traffic (shuffled parts of many messages, resent parts,
 * references reused wave after wave, parts that never come), checked against what must hold
 * whatever the order. A failure names its seed.
 */
import { REJECT_ERR } from '../../../src/actors/assembler/outputs.js';
import { strict as assert } from 'node:assert';
import { partKey, type MessageRecord, type PartRecord } from '../../../src/domain/records.js';
import { applyPart, emptyState, expire, restore, type AssemblyState } from '../../../src/actors/assembler/assembly.js';
import type { ChangelogRecord } from '../../../src/actors/assembler/changelog.js';
import type { AssemblerOptions } from '../../../src/actors/assembler/options.js';
import type { AssemblyOutput } from '../../../src/actors/assembler/outputs.js';
import { events, messages, opts, part, receipts, rng, roundTrip, shuffle, text } from './support.js';

type Step = { type: 'part'; part: PartRecord; now: number } | { type: 'tick'; now: number };

interface Traffic {
  steps: Step[];
  /** Every message the customer sent, as its original parts in order. */
  sent: PartRecord[][];
  /** Ids of resent copies, each with the id of the message it belongs to. */
  resent: Map<string, string>;
}

/**
 * `waves` rounds of `groups` messages. A group keeps its key (customer, source, destination,
 * ref, total) from wave to wave, so every wave reuses the references the previous one completed.
 * Within a wave the parts of all messages are shuffled together, and about `dupRate` of them are
 * resent later in the wave. Parts of groups that sit out the next wave are also resent late, in
 * that next wave, after their message completed. Waves are more than the timeout apart, with an
 * expiry tick between them.
 */
function traffic(seed: number, o: { waves: number; groups: number; dupRate: number; lateRate: number; timeoutMs: number }): Traffic {
  const random = rng(seed);
  const steps: Step[] = [];
  const sent: PartRecord[][] = [];
  const resent = new Map<string, string>();
  const groups = Array.from({ length: o.groups }, (_, g) => ({
    customer: `c${g % 3}`,
    destination: { ton: 1, npi: 1, addr: `4477009${String(g % 7).padStart(5, '0')}` },
    ref: Math.floor(random() * 256),
    total: 2 + Math.floor(random() * 4),
  }));
  // distinct keys: nudge refs that collide
  const seen = new Set<string>();
  for (const g of groups) {
    while (seen.has(partKey({ ...g, source: { ton: 5, npi: 0, addr: 'SRC' } }))) g.ref = (g.ref + 1) % 256;
    seen.add(partKey({ ...g, source: { ton: 5, npi: 0, addr: 'SRC' } }));
  }
  let now = 1_000_000;
  let late: PartRecord[] = [];
  let active = groups.map(() => true);
  for (let w = 0; w < o.waves; w++) {
    const nextActive = groups.map(() => random() < 0.6);
    let wave: PartRecord[] = [];
    const thisWave: { gi: number; parts: PartRecord[] }[] = [];
    groups.forEach((g, gi) => {
      if (!active[gi]) return;
      const parts = Array.from({ length: g.total }, (_, i) =>
        part({ ...g, source: { ton: 5, npi: 0, addr: 'SRC' }, seq: i + 1, partId: `w${w}g${gi}s${i + 1}`, body: text(`w${w}g${gi}s${i + 1}#${Math.floor(random() * 1e6)}`), registeredDelivery: 1 }),
      );
      sent.push(parts);
      thisWave.push({ gi, parts });
      wave.push(...parts);
    });
    wave = shuffle(wave, random);
    // resend some parts later in the same wave
    for (const p of [...wave]) {
      if (random() >= o.dupRate) continue;
      const at = wave.indexOf(p);
      const copy = { ...p, partId: `${p.partId}+dup` };
      wave.splice(at + 1 + Math.floor(random() * (wave.length - at)), 0, copy);
      resent.set(copy.partId, messageIdOf(p));
    }
    // the previous wave's late resends, anywhere in this wave
    for (const p of late) wave.splice(Math.floor(random() * (wave.length + 1)), 0, p);
    late = [];
    for (const { gi, parts } of thisWave) {
      if (nextActive[gi]) continue;
      for (const p of parts) {
        if (random() >= o.lateRate) continue;
        const copy = { ...p, partId: `${p.partId}+late` };
        late.push(copy);
        resent.set(copy.partId, messageIdOf(p));
      }
    }
    for (const p of wave) {
      now += 1 + Math.floor(random() * 50);
      steps.push({ type: 'part', part: p, now });
    }
    now += o.timeoutMs + 1;
    steps.push({ type: 'tick', now });
    active = nextActive;
  }
  for (const p of late) steps.push({ type: 'part', part: p, now: (now += 7) });
  steps.push({ type: 'tick', now: now + 10 * o.timeoutMs });
  return { steps, sent, resent };
}

function messageIdOf(p: PartRecord): string {
  return p.partId.replace(/s\d+$/, 's1');
}

interface Run {
  /** Outputs of each step. */
  perStep: AssemblyOutput[][];
  changelogPerStep: ChangelogRecord[][];
  state: AssemblyState;
}

function run(steps: Step[], options: Readonly<AssemblerOptions>, state: AssemblyState = emptyState()): Run {
  const perStep: AssemblyOutput[][] = [];
  const changelogPerStep: ChangelogRecord[][] = [];
  for (const s of steps) {
    const step = s.type === 'part' ? applyPart(state, s.part, s.now, options) : expire(state, s.now, options);
    state = step.state;
    perStep.push(step.outputs);
    changelogPerStep.push(step.outputs.flatMap((o) => (o.kind === 'changelog' ? [roundTrip({ key: o.key, value: o.value })] : [])));
  }
  return { perStep, changelogPerStep, state };
}

const SEEDS = Array.from({ length: 12 }, (_, i) => 1000 + i * 7919);

describe('assembler: properties over random traffic', () => {
  const options = opts({ timeoutMs: 60_000, recentMs: 600_000, onTimeout: 'reject' });
  const shape = { waves: 4, groups: 60, dupRate: 0.2, lateRate: 0.3, timeoutMs: options.timeoutMs };

  for (const seed of SEEDS) {
    it(`seed ${seed}: every message exactly once, complete and in part order; every resent id accounted for; state ends empty`, () => {
      const t = traffic(seed, shape);
      const r = run(t.steps, options);
      const all = r.perStep.flat();
      const got = messages(all);
      assert.equal(got.length, t.sent.length, `seed ${seed}: message count`);
      const byId = new Map<string, MessageRecord>();
      for (const m of got) {
        assert.ok(!byId.has(m.id), `seed ${seed}: ${m.id} emitted twice`);
        byId.set(m.id, m);
      }
      for (const parts of t.sent) {
        const m = byId.get(parts[0]!.partId);
        assert.ok(m, `seed ${seed}: ${parts[0]!.partId} never emitted`);
        assert.deepEqual(m.partIds, parts.map((p) => p.partId), `seed ${seed}`);
        assert.equal(m.body, Buffer.concat(parts.map((p) => Buffer.from(p.body, 'base64'))).toString('base64'), `seed ${seed}`);
        assert.equal(m.incomplete, undefined);
      }

      // every resent id is reported once: a copy of a held part (sameAs), whose message then
      // carries it in duplicatePartIds, or a duplicate of a message already sent (duplicateOf)
      const reports = new Map<string, { sameAs?: string; duplicateOf?: string }>();
      for (const e of events(all, 'part_duplicate')) {
        assert.ok(!reports.has(e.messageId), `seed ${seed}: ${e.messageId} reported twice`);
        reports.set(e.messageId, { sameAs: e.detail?.sameAs as string | undefined, duplicateOf: e.detail?.duplicateOf as string | undefined });
      }
      const carriedBy = new Map<string, string>();
      for (const m of got) for (const id of m.duplicatePartIds ?? []) carriedBy.set(id, m.id);
      const messageOfPart = new Map(got.flatMap((m) => m.partIds.map((id) => [id, m.id] as const)));
      // No part of a complete message is failed; what was settled as a resend of a message
      // already sent (and its own copies) gets REJECTD err 005, once.
      const failed = receipts(all);
      assert.equal(new Set(failed.map((f) => f.messageId)).size, failed.length, `seed ${seed}: a receipt twice`);
      for (const f of failed) {
        assert.equal(f.err, REJECT_ERR.duplicate, `seed ${seed}: ${f.messageId} failed with ${f.err}`);
        const r = reports.get(f.messageId);
        const settled = r?.duplicateOf !== undefined || (r?.sameAs !== undefined && !messageOfPart.has(r.sameAs) && !carriedBy.has(f.messageId));
        assert.ok(settled, `seed ${seed}: ${f.messageId} failed but was not a resend of a sent message`);
      }
      for (const [id, r] of reports) if (r.duplicateOf !== undefined) assert.ok(failed.some((f) => f.messageId === id), `seed ${seed}: ${id} settled as a resend without a receipt`);
      for (const [id, owner] of t.resent) {
        const r = reports.get(id);
        assert.ok(r, `seed ${seed}: ${id} never reported`);
        if (r.duplicateOf !== undefined) {
          assert.equal(r.duplicateOf, owner, `seed ${seed}: ${id}`);
          assert.equal(carriedBy.get(id), undefined);
        } else {
          const held = r.sameAs!;
          const fate = messageOfPart.has(held) ? carriedBy.get(id) : reports.get(held)?.duplicateOf;
          assert.equal(fate, owner, `seed ${seed}: ${id} copy of ${held}`);
        }
      }
      for (const [id, m] of carriedBy) assert.equal(t.resent.get(id), m, `seed ${seed}: ${id} carried by ${m}`);
      for (const id of reports.keys()) assert.ok(t.resent.has(id), `seed ${seed}: original ${id} reported a duplicate`);
      // the traffic took every path: copies of held parts, resends of sent messages, carried ids
      const kinds = [...reports.values()];
      assert.ok(kinds.some((k) => k.sameAs) && kinds.some((k) => k.duplicateOf) && carriedBy.size > 0, `seed ${seed}: traffic too tame`);
      assert.deepEqual([r.state.groups.size, r.state.openCount, r.state.doneCount], [0, 0, 0], `seed ${seed}: state empty at the end`);
      assert.equal(restore(r.changelogPerStep.flat()).groups.size, 0, `seed ${seed}: changelog compacts to nothing`);
    });
  }

  for (const seed of SEEDS.slice(0, 6)) {
    it(`seed ${seed}: replaying from any point after restoring the changelog repeats the outputs and changelog values`, () => {
      const t = traffic(seed, shape);
      const original = run(t.steps, options);
      const random = rng(seed);
      for (let k = 0; k < 8; k++) {
        const cut = Math.floor(random() * t.steps.length);
        const restored = restore(original.changelogPerStep.slice(0, cut).flat());
        const replay = run(t.steps.slice(cut), options, restored);
        assert.deepEqual(replay.perStep, original.perStep.slice(cut), `seed ${seed}, cut ${cut}`);
        assert.deepEqual(replay.changelogPerStep, original.changelogPerStep.slice(cut), `seed ${seed}, cut ${cut}`);
      }
    });
  }

  it('gives the same outputs for the same input, run after run', () => {
    const t = traffic(42, shape);
    assert.deepEqual(run(t.steps, options).perStep, run(t.steps, options).perStep);
  });

  for (const onTimeout of ['reject', 'release'] as const) {
    it(`${onTimeout}: with parts that never come, complete messages still go out once and each broken one is answered once`, () => {
      for (const seed of SEEDS.slice(0, 6)) {
        const o = opts({ timeoutMs: 60_000, recentMs: 600_000, onTimeout });
        const t = traffic(seed, { ...shape, dupRate: 0, lateRate: 0 });
        const random = rng(seed + 1);
        const dropped = new Set<string>();
        const steps = t.steps.filter((s) => {
          if (s.type !== 'part' || random() >= 0.05) return true;
          dropped.add(s.part.partId);
          return false;
        });
        const all = run(steps, o).perStep.flat();
        const got = messages(all);
        const byFirst = new Map(got.map((m) => [m.partIds[0]!, m]));
        assert.equal(got.length, byFirst.size, `seed ${seed}: no message twice`);
        const failed = new Set(receipts(all).map((r) => r.messageId));
        let broken = 0;
        for (const parts of t.sent) {
          const arrived = parts.filter((p) => !dropped.has(p.partId));
          const missing = parts.filter((p) => dropped.has(p.partId)).map((p) => p.seq);
          if (arrived.length === 0) continue;
          const m = byFirst.get(arrived[0]!.partId);
          if (missing.length === 0) {
            assert.deepEqual(m?.partIds, parts.map((p) => p.partId), `seed ${seed}`);
            assert.equal(m?.incomplete, undefined);
            continue;
          }
          broken++;
          if (onTimeout === 'release') {
            assert.deepEqual(m?.partIds, arrived.map((p) => p.partId), `seed ${seed}`);
            assert.deepEqual(m?.incomplete, { missing }, `seed ${seed}`);
          } else {
            assert.equal(m, undefined, `seed ${seed}: a broken message is not sent`);
            for (const p of arrived) assert.ok(failed.has(p.partId), `seed ${seed}: ${p.partId} got no failed receipt`);
          }
        }
        assert.ok(broken > 0, `seed ${seed}: the traffic broke some messages`);
        if (onTimeout === 'release') assert.deepEqual([...failed], []);
        else assert.equal(receipts(all).length, failed.size, `seed ${seed}: one receipt per part`);
      }
    });
  }
});
