/**
 * Sends one SMS through the gateway as a customer would, and waits for its delivery receipt.
 *   node dist/scripts/send-sms.js [--host 127.0.0.1] [--port 2775] [--system-id demo]
 *     [--password demo] [--from DEMO] [--to 447700900001] [--text "hello"] [--wait-ms 15000]
 */
import { parseArgs } from 'node:util';
import { Esme } from './lib/esme-client.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '2775' },
    'system-id': { type: 'string', default: 'demo' },
    password: { type: 'string', default: 'demo' },
    from: { type: 'string', default: 'DEMO' },
    to: { type: 'string', default: '447700900001' },
    text: { type: 'string', default: 'Hello from smsgw' },
    'wait-ms': { type: 'string', default: '15000' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  process.stdout.write('usage: send-sms [--host H] [--port P] [--system-id ID] [--password PW] [--from A] [--to B] [--text T] [--wait-ms N]\n');
  process.exit(0);
}

const esme = await Esme.connect(Number(values.port), values.host);
const bind = await esme.bind(values['system-id'], values.password, 'transceiver');
if (bind.command_status !== 0) {
  process.stdout.write(`bind_transceiver refused: command_status 0x${bind.command_status.toString(16).padStart(8, '0')}\n`);
  process.exit(1);
}
process.stdout.write(`bound as ${values['system-id']}\n`);
const resp = await esme.submit(values.to, values.text, { source_addr: values.from });
if (resp.command_status !== 0) {
  process.stdout.write(`submit_sm refused: command_status 0x${resp.command_status.toString(16).padStart(8, '0')}\n`);
  process.exit(1);
}
process.stdout.write(`submit_sm_resp message_id=${resp.message_id}\n`);
const deadline = Date.now() + Number(values['wait-ms']);
while (Date.now() < deadline) {
  const dlr = esme.delivers.find((d) => d.receiptedMessageId === resp.message_id);
  if (dlr) {
    process.stdout.write(`deliver_sm receipt: ${dlr.text}\n`);
    await esme.call('unbind').catch(() => undefined);
    esme.close();
    process.exit(0);
  }
  await new Promise((r) => setTimeout(r, 50));
}
process.stdout.write('no receipt within the wait\n');
esme.close();
process.exit(2);
