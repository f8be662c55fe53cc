/** Help text: one line per command for `smsgw help`, and a page per command for `smsgw <command> --help`. */
export const COMMON = `options (every command):
  --redis <url>       Redis the gateway uses (env REDIS_URL; default redis://127.0.0.1:6379)
  --brokers <list>    Kafka brokers, comma-separated (env SMSGW_KAFKA_BROKERS; default 127.0.0.1:9092)
  --prefix <p>        the gateway's Redis key prefix, redis.keyPrefix (env SMSGW_REDIS_PREFIX; default smsgw:, the gateway's)
  --config <file>     a node's configuration file: its Kafka brokers, kafka.ssl and kafka.sasl, Redis url and key prefix
                      (flags and environment still win)
  --json              print JSON for scripts instead of tables
  --timeout <ms>      how long an action waits for the nodes' answers (default 5000)
  -h, --help          this help

exit codes: 0 ok, 1 refused by a node, 2 usage, 3 Redis unreachable, 4 Kafka unreachable,
            5 no node answered, 6 not found`;

export const COMMANDS: Readonly<Record<string, { usage: string; summary: string; details?: string }>> = {
  nodes: { usage: 'nodes', summary: 'the live nodes: version, uptime, threads, memory, CPU, sessions' },
  actors: { usage: 'actors [--node <id>]', summary: 'every actor per node and thread: kind, address, state, mailbox, processed, failed, restarts, last error' },
  sessions: { usage: 'sessions', summary: 'customer sessions: customer, bind type, node, remote address, window in use, rates in and out' },
  providers: { usage: 'providers', summary: 'provider binds: owner node, state, window, rate, queue depth, last error' },
  lag: { usage: 'lag', summary: 'Kafka consumer lag per stage and partition, with the thread that owns each partition, and dead letters per stage (reads Kafka)' },
  outbox: { usage: 'outbox', summary: 'each customer\'s undelivered receipts and MO: records waiting in its partition, the held head and its age (reads Kafka)' },
  top: { usage: 'top [--interval <ms>] [--count <n>]', summary: 'all views, refreshed in place until q or Ctrl-C', details: '  --interval <ms>  refresh period (default 2000)\n  --count <n>      stop after n refreshes (like top -n)' },
  disconnect: { usage: 'disconnect <session>', summary: 'unbind and close one customer session (ids from `sessions`)' },
  block: { usage: 'block <customer>', summary: 'refuse the customer\'s binds (ESME_RBINDFAIL) on every node and close its sessions; kept in Redis' },
  unblock: { usage: 'unblock <customer>', summary: 'accept the customer\'s binds again' },
  pause: { usage: 'pause <provider>', summary: 'stop sending to the provider (submits in flight finish; the rest waits in Kafka)' },
  resume: { usage: 'resume <provider>', summary: 'send to the provider again' },
  rate: { usage: 'rate provider|customer <id> <per-second>', summary: 'change a provider bind\'s throttle or a customer\'s cluster-wide submit rate' },
  'reload-routes': { usage: 'reload-routes', summary: 'every node reads its configuration file again and installs the new routes' },
  customer: {
    usage: 'customer add|set|remove|list|key-add|key-revoke [<systemId>] [flags]',
    summary: 'customers as live data: in force on every node within seconds, no restart (reads and writes Kafka)',
    details: [
      '  customer add <systemId> --password <pw> [--bind-types transmitter,receiver,transceiver] [--rate <n>|none]',
      '               [--burst <n>] [--max-binds <n>] [--allowed-ips <cidr,...>] [--numbers <n,prefix*,...>]',
      '               [--webhook-url <url>|none --webhook-secret <s> --webhook-prefer-smpp true|false]',
      '  customer set <systemId> [any flag of add]   changes only what it names; a new password holds from the next bind',
      '  customer remove <systemId>                  unbinds its sessions on every node and refuses its binds',
      '  customer list                               the customers in force (never their passwords or webhook secrets)',
      '  customer key-add <systemId>                 mints an HTTP API key: printed once, only its digest is kept',
      '  customer key-revoke <systemId> <key-id>     revokes it (key ids: `customer list --json`)',
      '  Passwords are stored hashed (scrypt). Waits until every live node applied the change; exit 1 names a node',
      '  that refused it, 5 when one did not answer in --timeout (the change stays in the directory).',
    ].join('\n'),
  },
  provider: {
    usage: 'provider add|set|remove|list [<id>] [flags]',
    summary: 'providers as live data: bound, changed or drained and unbound on every node without a restart (reads and writes Kafka)',
    details: [
      '  provider add <id> --host <h> --port <p> --system-id <s> --password <pw> [--rate <n>] [--window <n>]',
      '               [--bind-type <t>] [--system-type <t>] [--concatenation udh8|udh16|sar|payload] [--receipt-id-form <f>]',
      '               [--max-attempts <n>] [--max-retry-age-ms <ms>] [--retry-delay-ms <ms>] [--failover-after-ms <ms>]',
      '               [--response-timeout-ms <ms>] [--throttle-pause-ms <ms>] [--throttle-pause-max-ms <ms>]',
      '  provider set <id> [any flag of add]   a new rate applies at once; other changes rebind after the bind drains',
      '  provider remove <id>                  the bind finishes what it is sending, then unbinds; routes leave it out',
      '  provider list                         the providers in force',
      '  Routes stay in the configuration files: a route may name a provider added here (reload-routes).',
    ].join('\n'),
  },
  trace: { usage: 'trace <message-id>', summary: 'the story of one message from the message-events topic: accepted, routed, submitted, receipt, delivered (reads Kafka)' },
  'dead-letters': {
    usage: 'dead-letters [replay <p:o>...|--all]',
    summary: 'records a stage gave up on (the dead-letter topic): when, stage, where read, message id, error; replay writes them back (reads Kafka)',
    details: [
      '  dead-letters                      list them: DEAD LETTER (partition:offset in the dead-letter topic), TIME, STAGE,',
      '                                    TOPIC/PARTITION/OFFSET where the stage read the record, MESSAGE ID, ERROR',
      '  dead-letters replay <p:o>...      write those dead letters back to their original topic (same key and value, acks=all)',
      '  dead-letters replay <offset>      the same, when the dead-letter topic has one partition',
      '  dead-letters replay --all         every dead letter, in the order they were set aside',
      '  A replayed dead letter stays in the dead-letter topic (a log): replaying it again writes it again.',
      '  exit 6 when the offset holds no dead letter; 2 for a bare offset on a topic of several partitions.',
    ].join('\n'),
  },
};

export function generalHelp(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
  return ['usage: smsgw <command> [options]', '', 'commands:',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`), '', COMMON, ''].join('\n');
}

export function commandHelp(name: string): string {
  const c = COMMANDS[name]!;
  return [`usage: smsgw ${c.usage}`, '', `  ${c.summary}`, ...(c.details ? ['', c.details] : []), '', COMMON, ''].join('\n');
}
