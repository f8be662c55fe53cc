import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import type { Esme } from '../../../scripts/lib/esme-client.js';
import { uniquePrefix, waitFor } from '../../support/env.js';
import { startGatewayFile, writeConfig, type RunningGateway } from '../../support/gateway-process.js';
import { bindCustomer, outboundConfig, receiptsFor, submitMany, textOf } from './support.js';

describe('routes reload without a restart', function () {
  this.timeout(120000);
  const prefix = uniquePrefix('reload');
  let a: ProviderSimulator;
  let b: ProviderSimulator;
  let gw: RunningGateway;
  let esme: Esme;
  let path: string;
  const config = (routes: unknown[]) => outboundConfig(prefix, [{ id: 'a', port: a.address.port }, { id: 'b', port: b.address.port }], routes);
  const sentTo = (sim: ProviderSimulator, label: string) => sim.submitted.map((s) => textOf(s.pdu)).filter((t) => t.startsWith(`${label}-`)).length;
  const logged = (what: string) => gw.logs.filter((l) => l.includes(what));

  before(async () => {
    a = await startProviderSimulator({ systemId: 'gw', password: 'gwpass', receiptDelayMs: 20 });
    b = await startProviderSimulator({ systemId: 'gw', password: 'gwpass', receiptDelayMs: 20 });
    path = writeConfig(config([{ provider: 'a' }]));
    gw = await startGatewayFile(path);
    await waitFor('both binds', () => a.boundSessions > 0 && b.boundSessions > 0);
    esme = await bindCustomer(gw.port);
  });
  after(async () => {
    esme?.close();
    await gw?.stop();
    await a?.close();
    await b?.close();
  });

  it('a changed file moves traffic to the new route on every worker thread', async () => {
    await receiptsFor(esme, await submitMany(esme, 'before', 6));
    assert.equal(sentTo(a, 'before'), 6);
    writeFileSync(path, JSON.stringify(config([{ provider: 'b' }])));
    await waitFor('the file reloaded', () => logged('"configuration reloaded"').some((l) => l.includes('"why":"file changed"')), 20000);
    const sent = await submitMany(esme, 'after', 12);
    await receiptsFor(esme, sent);
    assert.equal(sentTo(b, 'after'), 12);
    assert.equal(sentTo(a, 'after'), 0);
  });

  it('an invalid file is refused with an error naming the field, and the running routes stay', async () => {
    writeFileSync(path, JSON.stringify(config([{ provider: 'nobody' }])));
    const refused = await waitFor('the refusal', () => logged('"configuration not reloaded; the running configuration stays"')[0], 20000);
    assert.match(refused, /"field":"routes\[0\]\.provider"/);
    const sent = await submitMany(esme, 'kept', 6);
    await receiptsFor(esme, sent);
    assert.equal(sentTo(b, 'kept'), 6);
  });

  it('SIGHUP reloads the file too', async () => {
    const reloads = logged('"configuration reloaded"').length;
    const text = JSON.stringify(config([{ provider: 'a' }]));
    writeFileSync(path, text);
    gw.proc.kill('SIGHUP');
    await waitFor('a SIGHUP reload', () => logged('"why":"SIGHUP"').length > 0 && logged('"configuration reloaded"').length > reloads, 20000);
    await waitFor('workers told', () => logged('"configuration reload passed to the stage actors"').length >= 4, 20000);
    const sent = await submitMany(esme, 'hup', 6);
    await receiptsFor(esme, sent);
    assert.equal(sentTo(a, 'hup'), 6);
    assert.equal(gw.proc.exitCode, null);
  });
});
