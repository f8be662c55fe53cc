import { strict as assert } from 'node:assert';
import { ActorUsageError, Mailbox, MailboxClosedError } from '../../../src/runtime/index.js';
import { delay, track } from './support.js';

describe('runtime/mailbox', () => {
  it('is FIFO and refuses offers beyond capacity', () => {
    const box = new Mailbox<number>(2);
    assert.equal(box.offer(1), true);
    assert.equal(box.offer(2), true);
    assert.equal(box.offer(3), false);
    assert.equal(box.depth, 2);
    assert.equal(box.take(), 1);
    assert.equal(box.offer(3), true);
    assert.deepEqual([box.take(), box.take(), box.take()], [2, 3, undefined]);
    assert.equal(box.depth, 0);
  });

  it('whenWritable waits while full and resolves once an item is taken', async () => {
    const box = new Mailbox<string>(1);
    await box.whenWritable(); // room now: resolves at once
    box.offer('a');
    const writable = track(box.whenWritable());
    await delay(5);
    assert.equal(writable.settled, false);
    box.take();
    await writable.result;
    assert.equal(box.offer('b'), true);
  });

  it('close refuses offers, rejects writers, and keeps queued items for the owner', async () => {
    const box = new Mailbox<string>(1);
    box.offer('kept');
    const waiting = box.whenWritable();
    box.close();
    await assert.rejects(waiting, MailboxClosedError);
    await assert.rejects(box.whenWritable(), MailboxClosedError);
    assert.equal(box.offer('late'), false);
    assert.deepEqual(box.takeAll(), ['kept']);
  });

  it('stays FIFO across internal compaction', () => {
    const box = new Mailbox<number>(5_000);
    const out: number[] = [];
    for (let i = 0; i < 4_000; i++) box.offer(i);
    for (let i = 0; i < 3_000; i++) out.push(box.take() as number);
    for (let i = 4_000; i < 6_000; i++) box.offer(i);
    for (let v = box.take(); v !== undefined; v = box.take()) out.push(v);
    assert.deepEqual(out, Array.from({ length: 6_000 }, (_, i) => i));
  });

  it('rejects a capacity that is not a positive integer', () => {
    assert.throws(() => new Mailbox(0), ActorUsageError);
    assert.throws(() => new Mailbox(1.5), ActorUsageError);
  });
});
