import { strict as assert } from 'node:assert';
import { buildCorpus } from '../../../scripts/fuzz/corpus.js';
import { fuzzDecoder } from '../../../scripts/fuzz/decoder-fuzz.js';
import { fuzzCase } from '../../../scripts/fuzz/mutate.js';
import { Rng } from '../../../scripts/fuzz/rng.js';
import { decodePdu } from '../../../src/smpp/pdu.js';
import { fuzzBudgetMs, fuzzSeed } from '../../support/fuzz.js';

describe('decoder fuzz (decodePdu and FrameReader)', function () {
  const budget = fuzzBudgetMs(5);
  this.timeout(budget + 30000);

  it('the corpus is valid: every entry decodes as its own command', () => {
    const corpus = buildCorpus({ systemId: 'fuzz', password: 'fuzzpw' });
    assert.ok(corpus.length >= 25);
    for (const e of corpus) assert.equal(decodePdu(e.frame).command, e.command, e.name);
  });

  it('a case depends only on (seed, index): the same bytes on every run, other bytes for other cases', () => {
    const corpus = buildCorpus({ systemId: 'fuzz', password: 'fuzzpw' });
    const at = (seed: number, i: number) => fuzzCase(Rng.forCase(seed, i), corpus, 16384).bytes.toString('hex');
    assert.equal(at(7, 1234), at(7, 1234));
    const distinct = new Set(Array.from({ length: 50 }, (_, i) => at(7, i)));
    assert.ok(distinct.size > 40, `${distinct.size} distinct cases of 50`);
    assert.notEqual(at(7, 5), at(8, 5));
  });

  it('throws only PduDecodeError / FramingError, frames every octet, and re-encodes what it decoded', () => {
    const seed = fuzzSeed('decoder');
    const r = fuzzDecoder({ seed, until: Date.now() + budget });
    const report = r.failures.slice(0, 5).map((f) =>
      `case ${f.caseIndex} (${f.name}): ${f.problem}\n  ${f.hex}\n  replay: node dist/scripts/fuzz/main.js --decoder-only --seed ${f.seed} --case ${f.caseIndex}`);
    assert.deepEqual(report, [], `${r.failures.length} failures`);
    // The run must have reached every kind of outcome, or the mutations have gone blind.
    assert.ok(r.cases > 100, `${r.cases} cases`);
    assert.ok(r.decoded > 0 && r.framingLost > 0, JSON.stringify(r));
    for (const code of ['SMPP_INVALID_COMMAND_LENGTH', 'SMPP_UNKNOWN_COMMAND_ID', 'SMPP_INVALID_BODY', 'SMPP_INVALID_TLV']) {
      assert.ok((r.rejected[code] ?? 0) > 0, `no case was rejected with ${code}`);
    }
  });
});
