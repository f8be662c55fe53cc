import { strict as assert } from 'node:assert';
import { deadLetterRequest, parseDeadLetterRef, refPartition } from '../../../src/cli/dead-letter-args.js';
import { deadLettersByStage, deadLettersView, lagView, replayView } from '../../../src/cli/views.js';
import { parseOptions } from '../../../src/cli/options.js';
import { commandHelp, generalHelp } from '../../../src/cli/help.js';
import { CliError } from '../../../src/cli/errors.js';
import { deadLetterRecord, parseDeadLetter, type DeadLetter } from '../../../src/kafka/dead-letters.js';
import type { DeadLetterEntry, DeadLetterLog } from '../../../src/kafka/dead-letter-log.js';
import type { PartitionLag } from '../../../src/kafka/lag.js';

const letter = (over: Partial<DeadLetter>): DeadLetter => ({
  topic: 'p.customer-incoming-messages', partition: 1, offset: '17', key: 'k1', value: Buffer.from('v'), stage: 'router', node: 'n1',
  error: 'undecodable record', errorCode: 'RECORD_INVALID', at: Date.UTC(2026, 10, 22, 0, 12, 28, 130), attempts: 3, messageId: '01a20098de62a024e5284c2f', ...over,
});
const entry = (partition: number, offset: string, d: DeadLetter | null): DeadLetterEntry => ({ partition, offset, timestamp: 5, letter: d });
const log = (entries: DeadLetterEntry[], partitions = 3): DeadLetterLog => ({
  topic: 'p.dead-letters', partitions: Array.from({ length: partitions }, (_, i) => ({ partition: i, start: '0', end: '9' })), entries,
});
const usage = (re: RegExp) => (e: unknown) => e instanceof CliError && e.exitCode === 2 && re.test(e.message);

describe('cli dead-letters: arguments', () => {
  it('no argument lists; replay takes partition:offset refs (deduplicated), a bare offset, or --all', () => {
    assert.deepEqual(deadLetterRequest([], false), { kind: 'list' });
    assert.deepEqual(deadLetterRequest(['replay'], true), { kind: 'replay', all: true });
    assert.deepEqual(deadLetterRequest(['replay', '2:07', '5', '2:7'], false), {
      kind: 'replay', all: false,
      refs: [{ partition: 2, offset: '7', text: '2:07' }, { partition: null, offset: '5', text: '5' }],
    });
  });

  it('refuses what is not the form, naming it', () => {
    assert.throws(() => deadLetterRequest(['replay'], false), usage(/replay needs what to replay: .*<partition:offset>.*--all/));
    assert.throws(() => deadLetterRequest(['replay', '1:2'], true), usage(/either --all or dead letters, not both/));
    assert.throws(() => deadLetterRequest([], true), usage(/--all goes with replay/));
    assert.throws(() => deadLetterRequest(['purge'], false), usage(/unknown argument "purge"/));
    for (const bad of ['1:', ':4', '-1', '1:2:3', 'a:1', '1.5']) {
      assert.throws(() => parseDeadLetterRef(bad), usage(new RegExp(`${JSON.stringify(bad).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not <partition>:<offset>`)), bad);
    }
  });

  it('a bare offset means partition 0 only on a one-partition topic; otherwise a usage error naming the form', () => {
    assert.equal(refPartition(parseDeadLetterRef('4'), 't', 1), 0);
    assert.equal(refPartition(parseDeadLetterRef('2:4'), 't', 3), 2);
    assert.throws(() => refPartition(parseDeadLetterRef('4'), 'p.dead-letters', 3), usage(/p\.dead-letters has 3: give <partition>:<offset>, e\.g\. 0:4/));
  });

  it('--all is an option of its own (parseArgs would refuse an unknown one)', () => {
    const o = parseOptions(['dead-letters', 'replay', '--all'], {});
    assert.deepEqual([o.command, o.args, o.all], ['dead-letters', ['replay'], true]);
    assert.equal(parseOptions(['dead-letters'], {}).all, false);
  });

  it('help lists the command and explains replay', () => {
    assert.match(generalHelp(), /\n {2}dead-letters \[replay <p:o>\.\.\.\|--all\] +records a stage gave up on/);
    assert.match(commandHelp('dead-letters'), /^usage: smsgw dead-letters/);
    assert.match(commandHelp('dead-letters'), /stays in the dead-letter topic/);
  });
});

describe('cli dead-letters: views', () => {
  it('lists dead letters oldest first with their place, time, stage, origin, message id and error; leaves out records without the headers', () => {
    const older = letter({ at: Date.UTC(2026, 0, 1), stage: 'supplier', topic: 'p.provider-outgoing-messages', partition: 0, offset: '3', messageId: null, errorCode: '', error: 'bad' });
    const v = deadLettersView(log([entry(0, '4', letter({})), entry(2, '0', older), entry(1, '0', null)]));
    assert.deepEqual(v.data.map((r) => [r.ref, r.time, r.stage, r.topic, r.partition, r.offset, r.messageId, r.errorCode, r.error]), [
      ['2:0', '2026-01-01T00:00:00.000Z', 'supplier', 'p.provider-outgoing-messages', 0, '3', null, '', 'bad'],
      ['0:4', '2026-11-22T00:12:28.130Z', 'router', 'p.customer-incoming-messages', 1, '17', '01a20098de62a024e5284c2f', 'RECORD_INVALID', 'undecodable record'],
    ]);
    const lines = v.text.split('\n');
    assert.match(lines[0]!, /^DEAD LETTER\s+TIME\s+STAGE\s+TOPIC\s+PARTITION\s+OFFSET\s+MESSAGE ID\s+ERROR$/);
    assert.match(lines[1]!, /^2:0\s+2026-01-01T00:00:00\.000Z\s+supplier\s+p\.provider-outgoing-messages\s+0\s+3\s+-\s+bad$/);
    assert.match(lines[2]!, /^0:4\s+2026-11-22T00:12:28\.130Z\s+router\s+p\.customer-incoming-messages\s+1\s+17\s+01a20098de62a024e5284c2f\s+RECORD_INVALID: undecodable record$/);
    assert.match(v.text, /\n2 dead letter\(s\) in p\.dead-letters \(3 partitions\); smsgw dead-letters replay <partition:offset>/);
    assert.match(v.text, /\n1 record\(s\) without the dead-letter headers left out$/);
    assert.match(deadLettersView(log([], 1)).text, /\nno dead letters in p\.dead-letters \(1 partition\)$/);
  });

  it('reads back what deadLetterRecord writes (headers as kafkajs hands them: Buffers), null key and value included', () => {
    const d = letter({ key: null, value: null });
    const r = deadLetterRecord('p.dead-letters', d);
    const headers = Object.fromEntries(Object.entries(r.headers!).map(([k, v]) => [k, Buffer.from(v)]));
    const back = parseDeadLetter(Buffer.from(r.key), r.value as Buffer, headers)!;
    const row = deadLettersView(log([entry(0, '0', back)])).data[0]!;
    assert.deepEqual([row.key, row.stage, row.offset, row.messageId, row.error], [null, 'router', '17', '01a20098de62a024e5284c2f', 'undecodable record']);
  });

  it('replay prints each dead letter written back and says they stay in the dead-letter topic', () => {
    const v = replayView('p.dead-letters', [{
      ref: '0:4', stage: 'router', messageId: 'm1', from: { topic: 'p.customer-incoming-messages', partition: 1, offset: '17' },
      to: { topic: 'p.customer-incoming-messages', partition: 1, offset: '40' },
    }]);
    assert.equal(v.text, 'replayed 0:4 (router, message m1, read at p.customer-incoming-messages 1:17) to p.customer-incoming-messages 1:40\n'
      + '1 dead letter(s) replayed; they stay in p.dead-letters (it is a log): replaying one again writes it again');
    assert.equal(v.data.replayed[0]!.to.offset, '40');
    assert.equal(replayView('p.dead-letters', []).text, 'no dead letters in p.dead-letters; nothing replayed');
  });

  it('lag: dead letters per stage partition in the data, per stage in a table after the lag table', () => {
    const lag: PartitionLag[] = [0, 1].map((p) => ({ stage: 'router', groupId: 'g', topic: 'p.customer-incoming-messages', partition: p, committed: null, end: '0', start: '0', lag: 0 }));
    lag.push({ stage: 'supplier', groupId: 'g2', topic: 'p.provider-outgoing-messages', partition: 0, committed: null, end: '0', start: '0', lag: 0 });
    const letters = [letter({}), letter({}), letter({ partition: 0 }), letter({ stage: 'session', topic: 'x', partition: 0 })];
    const v = lagView(lag, [], { topic: 'p.dead-letters', letters });
    assert.deepEqual(v.data.map((r) => (r as { deadLetters: number | null }).deadLetters), [1, 2, 0]);
    assert.match(v.text, /\n\ndead letters in p\.dead-letters \(smsgw dead-letters lists them\)\nSTAGE\s+DEAD LETTERS\nrouter\s+3\nsupplier\s+0\nsession\s+1$/);
    const missing = lagView(lag, [], { topic: 'p.dead-letters', letters: null });
    assert.deepEqual(missing.data.map((r) => (r as { deadLetters: number | null }).deadLetters), [null, null, null]);
    assert.match(missing.text, /\n\ndead letters: no topic p\.dead-letters in Kafka/);
    assert.doesNotMatch(lagView(lag, []).text, /dead letters/);
  });

  it('counts per stage: the known stages first (0 when none), then the others by name', () => {
    assert.deepEqual(deadLettersByStage([letter({ stage: 'z' }), letter({ stage: 'b' }), letter({ stage: 'router' }), letter({ stage: 'b' })], ['router', 'delivery']),
      [{ stage: 'router', count: 1 }, { stage: 'delivery', count: 0 }, { stage: 'b', count: 2 }, { stage: 'z', count: 1 }]);
  });
});
