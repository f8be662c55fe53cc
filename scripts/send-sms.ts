/**
 * Sends one SMS through the gateway as a customer would, and waits for its delivery receipt.
 *   node dist/scripts/send-sms.js [--host 127.0.0.1] [--port 2775] [--system-id demo]
 *     [--password demo] [--from DEMO] [--to 447700900001] [--text "hello"] [--wait-ms 15000]
 */
import { Esme } from './lib/esme-client.js';
import { errorMessage } from '../src/errors.js';
import { checked, readCommandLine, wholeNumber } from '../src/command-line.js';
import { statusName } from '../src/smpp/status.js';

const USAGE = `usage: send-sms [--host H] [--port P] [--system-id ID] [--password PW] [--from A] [--to B] [--text T] [--wait-ms N]
  sends one submit_sm as a transceiver and waits for its receipt (defaults: the demo of npm start)
  exit 0 receipt received, 1 refused or unreachable, 2 usage, 3 no receipt within --wait-ms`;

const { values } = readCommandLine(process.argv.slice(2), USAGE, {
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '2775' },
    'system-id': { type: 'string', default: 'demo' },
    password: { type: 'string', default: 'demo' },
    from: { type: 'string', default: 'DEMO' },
    to: { type: 'string', default: '447700900001' },
    text: { type: 'string', default: 'Hello from smsgw' },
    'wait-ms': { type: 'string', default: '15000' },
    help: { type: 'boolean', short: 'h' },
  },
});
const { port, waitMs } = checked(USAGE, () => ({
  port: wholeNumber('--port', values.port, 2775, { min: 1, max: 65535 }),
  waitMs: wholeNumber('--wait-ms', values['wait-ms'], 15000, { min: 0 }),
}));

let esme: Esme;
try {
  esme = await Esme.connect(port, values.host);
} catch (err) {
  process.stderr.write(`send-sms: cannot reach the gateway at ${values.host}:${port}: ${errorMessage(err)}\n`);
  process.exit(1);
}
const bind = await esme.bind(values['system-id'], values.password, 'transceiver');
if (bind.command_status !== 0) {
  process.stdout.write(`bind_transceiver refused: ${statusName(bind.command_status)} (0x${bind.command_status.toString(16).padStart(8, '0')})\n`);
  process.exit(1);
}
process.stdout.write(`bound as ${values['system-id']}\n`);
const resp = await esme.submit(values.to, values.text, { source_addr: values.from });
if (resp.command_status !== 0) {
  process.stdout.write(`submit_sm refused: ${statusName(resp.command_status)} (0x${resp.command_status.toString(16).padStart(8, '0')})\n`);
  process.exit(1);
}
process.stdout.write(`submit_sm_resp message_id=${resp.message_id}\n`);
const deadline = Date.now() + waitMs;
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
process.exit(3);
