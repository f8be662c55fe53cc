/** The in-process actor runtime: the public surface other modules import. */
export type { ActorContext, ActorRef, ActorSpec, PipedOutcome, StopOptions, SystemHandle, SystemStatus } from './actor.js';
export {
  addressDepth,
  addressName,
  childAddress,
  formatAddress,
  InvalidAddressError,
  isValidName,
  parentAddress,
  parseAddress,
  pathSegments,
  rootAddress,
  sameAddress,
  type Address,
} from './address.js';
export {
  ActorNameTakenError,
  ActorRestartedError,
  ActorStoppedError,
  ActorSystemStoppedError,
  ActorUsageError,
  EscalatedError,
  MailboxClosedError,
  MailboxFullError,
  NoReplyError,
} from './errors.js';
export type {
  ActorFailedEvent,
  ActorStoppedEvent,
  EscalatedEvent,
  SystemEventListener,
  SystemEventName,
  SystemEvents,
} from './events.js';
export { Mailbox } from './mailbox.js';
export type { ReplyHandle } from './reply.js';
export type { ActorErrorInfo, ActorStats, ActorStatus, GaugeValue } from './stats.js';
export {
  decideRestart,
  defaultStrategy,
  resolveStrategy,
  type Backoff,
  type Decider,
  type Directive,
  type FailureInfo,
  type FailurePhase,
  type RestartBudget,
  type RestartVerdict,
  type SupervisorStrategy,
} from './supervision.js';
export { ActorSystem, defaultSystemOptions, type ActorSystemOptions } from './system.js';
export type { TimerScheduler } from './timers.js';
