import { strict as assert } from 'node:assert';
import { readSupplierControlReply, supplierActorName } from '../../../src/actors/supplier/supplier-control.js';
import { GatewayError } from '../../../src/errors.js';

describe('supplier control: the answer read back from a worker thread', () => {
  it('takes a well-formed answer as it is', () => {
    assert.deepEqual(readSupplierControlReply({ provider: 'sim', paused: true, rate: 20 }), { provider: 'sim', paused: true, rate: 20 });
  });

  it('refuses an answer of another shape instead of trusting a cast', () => {
    for (const bad of [null, 'done', { provider: 'sim', paused: 'yes', rate: 20 }, { provider: 'sim', paused: false }]) {
      assert.throws(() => readSupplierControlReply(bad), (err: unknown) => err instanceof GatewayError && err.code === 'CONTROL_REPLY_INVALID');
    }
  });

  it('names the supplier actor of a provider as the suppliers actor spawns it', () => {
    assert.equal(supplierActorName('sim'), 'supplier-sim');
  });
});
