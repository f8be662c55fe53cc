/**
 * A node's copy of the live directory (records.ts): read whole at start, then followed, so a
 * customer or provider added, changed or removed by `smsgw` or by another node's file reaches
 * this node within a second. `changed` fires (at most every 100 ms) after records of others
 * arrive; the node then works out and applies its configuration again (live-config.ts).
 */
import { EventEmitter } from 'node:events';
import type { GatewayConfig } from '../config/types.js';
import type { KafkaClient } from '../kafka/client.js';
import type { Topics } from '../kafka/topics.js';
import type { DurableWriter } from '../kafka/writer.js';
import { TopicFollower, type FollowedRecord } from '../kafka/topic-follower.js';
import type { Logger } from '../log.js';
import { errorMessage } from '../errors.js';
import { decodeDirectoryRecord, directoryKey, DirectoryState, encodeDirectoryRecord, type DirectoryRecord } from './records.js';
import { seedRecords } from './seed.js';
import { controlKey, ControlState, decodeControlRecord, encodeControlRecord, isControlKey, type ControlRecord } from './controls.js';

const CHANGE_DEBOUNCE_MS = 100;

/** Where the operator's controls are journalled: the live directory (controls.ts). */
export interface ControlJournal {
  readonly controls: ControlState;
  /** Resolves once the record is durable in Kafka (and taken into `controls`). */
  journal(r: Omit<ControlRecord, 'at' | 'by'>): Promise<void>;
}

export class LiveDirectory extends EventEmitter<{ changed: [] }> implements ControlJournal {
  readonly state = new DirectoryState();
  readonly controls = new ControlState();
  private readonly follower: TopicFollower;
  private started = false;
  private debounce: NodeJS.Timeout | undefined;

  constructor(
    kafka: KafkaClient,
    private readonly topics: Topics,
    private readonly writer: DurableWriter,
    private readonly nodeId: string,
    private readonly log: Logger,
  ) {
    super();
    this.follower = new TopicFollower(kafka, topics.directory, log, nodeId);
  }

  /** Resolves once every record written before it began is in `state`. */
  async start(): Promise<void> {
    const n = await this.follower.start((records) => this.take(records));
    this.started = true;
    this.log.info('directory read', { records: n, customers: this.state.live('customer').length, providers: this.state.live('provider').length });
  }

  /**
   * Writes what the file changes in the directory (seed.ts) and takes it into `state` at once;
   * resolves with what was written.
   */
  async seed(file: GatewayConfig): Promise<DirectoryRecord[]> {
    const records = await seedRecords(file, this.state, `file:${this.nodeId}`, Date.now());
    if (records.length === 0) return records;
    await this.writer.append(records.map((r) => ({ topic: this.topics.directory, key: directoryKey(r.kind, r.id), value: encodeDirectoryRecord(r) })));
    for (const r of records) this.state.apply(r);
    this.log.info('directory seeded from the configuration file', { changes: records.map((r) => `${r.entry === null ? 'removed' : 'set'} ${r.kind} ${r.id}`) });
    return records;
  }

  async journal(r: Omit<ControlRecord, 'at' | 'by'>): Promise<void> {
    const record: ControlRecord = { ...r, at: Date.now(), by: this.nodeId };
    await this.writer.append({ topic: this.topics.directory, key: controlKey(r.target, r.id, r.aspect), value: encodeControlRecord(record) });
    this.controls.apply(record);
  }

  async stop(): Promise<void> {
    clearTimeout(this.debounce);
    await this.follower.stop();
  }

  private take(records: FollowedRecord[]): void {
    let entries = 0;
    for (const r of records) {
      if (r.value === null) continue;
      try {
        if (isControlKey(r.key)) {
          this.controls.apply(decodeControlRecord(r.value));
          continue;
        }
        entries++;
        this.state.apply(decodeDirectoryRecord(r.value));
      } catch (err) {
        this.log.warn('directory record skipped', { offset: r.offset, key: r.key, error: errorMessage(err) });
      }
    }
    // Controls are read where they are used (CustomerControls); only entries change the configuration.
    if (!this.started || entries === 0) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.emit('changed'), CHANGE_DEBOUNCE_MS);
  }
}
