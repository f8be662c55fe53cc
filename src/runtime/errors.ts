/**
 * Errors raised by the actor runtime. Callers match on the class or `code`.
 */
import { GatewayError } from '../errors.js';
import { formatAddress, type Address } from './address.js';

/** The actor stopped (or was stopping) before it could take or finish the message. */
export class ActorStoppedError extends GatewayError {
  readonly address: Address;
  constructor(address: Address, cause?: unknown) {
    super(
      'ACTOR_STOPPED',
      `actor ${formatAddress(address)} is stopped${cause === undefined ? '' : ' after a failure'}`,
      cause === undefined ? {} : { cause },
    );
    this.address = address;
  }
}

/**
 * An answer the actor had taken on (`ctx.deferReply`) is void: the actor restarted or stopped
 * before its in-flight work finished. The asker may ask again; nothing of that work counts.
 */
export class ActorRestartedError extends GatewayError {
  readonly address: Address;
  constructor(address: Address, cause?: unknown) {
    super('ACTOR_RESTARTED', `actor ${formatAddress(address)} restarted or stopped before answering`, { cause, retriable: true });
    this.address = address;
  }
}

/**
 * For callers that turn a refused `tell` into an error (a session answering ESME_RTHROTTLED,
 * for instance); the runtime itself reports a full mailbox by returning false.
 */
export class MailboxFullError extends GatewayError {
  readonly address: Address;
  constructor(address: Address) {
    super('MAILBOX_FULL', `mailbox of ${formatAddress(address)} is full`, { retriable: true });
    this.address = address;
  }
}

export class MailboxClosedError extends GatewayError {
  constructor() {
    super('MAILBOX_CLOSED', 'mailbox is closed');
  }
}

export class ActorNameTakenError extends GatewayError {
  readonly address: Address;
  constructor(address: Address) {
    super('ACTOR_NAME_TAKEN', `an actor already lives at ${formatAddress(address)}`);
    this.address = address;
  }
}

/** An ask whose receive finished without `ctx.reply` or `ctx.deferReply`. */
export class NoReplyError extends GatewayError {
  readonly address: Address;
  constructor(address: Address) {
    super('ACTOR_NO_REPLY', `actor ${formatAddress(address)} finished an asked message without replying`);
    this.address = address;
  }
}

/** What a parent's supervisor sees when a child escalates; `cause` is the child's error. */
export class EscalatedError extends GatewayError {
  readonly child: Address;
  constructor(child: Address, cause: unknown) {
    super('ACTOR_ESCALATED', `child ${formatAddress(child)} escalated a failure`, { cause });
    this.child = child;
  }
}

export class ActorSystemStoppedError extends GatewayError {
  constructor(system: string) {
    super('ACTOR_SYSTEM_STOPPED', `actor system ${system} is shutting down or stopped`);
  }
}

/** A misuse of the runtime API by actor code (bad timer interval, bad gauge value...). */
export class ActorUsageError extends GatewayError {
  constructor(message: string) {
    super('ACTOR_USAGE', message);
  }
}
