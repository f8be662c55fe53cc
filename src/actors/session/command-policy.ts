/**
 * Which request a customer may send in which bind state (SMPP 3.4 section 2.3), and what the
 * gateway does with it. Pure.
 */
import type { BindType } from '../../config/types.js';
import type { CommandName } from '../../smpp/status.js';
import { Status } from '../../smpp/status.js';

export type Action =
  | { do: 'bind'; bindType: BindType }
  | { do: 'submit' }
  | { do: 'query' }
  | { do: 'cancel' }
  /** Answered with `status` at once: not allowed now, or not something the gateway can honour. */
  | { do: 'refuse'; status: number };

const BINDS: Partial<Record<CommandName, BindType>> = {
  bind_transmitter: 'transmitter', bind_receiver: 'receiver', bind_transceiver: 'transceiver',
};

/** What to do with `command` from a session bound as `bound` (null before bind). */
export function actionFor(command: CommandName, bound: BindType | null): Action {
  const bindType = BINDS[command];
  if (bindType) return { do: 'bind', bindType };
  if (bound === null) return { do: 'refuse', status: Status.ESME_RINVBNDSTS };
  const transmits = bound !== 'receiver';
  switch (command) {
    case 'submit_sm':
    case 'data_sm':
      return transmits ? { do: 'submit' } : { do: 'refuse', status: Status.ESME_RINVBNDSTS };
    case 'query_sm':
      return transmits ? { do: 'query' } : { do: 'refuse', status: Status.ESME_RINVBNDSTS };
    case 'cancel_sm':
      return transmits ? { do: 'cancel' } : { do: 'refuse', status: Status.ESME_RINVBNDSTS };
    case 'replace_sm':
      // A message is on its way to the provider as soon as it is accepted: nothing to replace.
      return { do: 'refuse', status: transmits ? Status.ESME_RREPLACEFAIL : Status.ESME_RINVBNDSTS };
    case 'submit_multi':
      // Not offered: the customer sends one submit_sm per destination.
      return { do: 'refuse', status: transmits ? Status.ESME_RINVCMDID : Status.ESME_RINVBNDSTS };
    default:
      // deliver_sm, outbind, alert_notification and the like only ever go from SMSC to ESME.
      return { do: 'refuse', status: Status.ESME_RINVBNDSTS };
  }
}
