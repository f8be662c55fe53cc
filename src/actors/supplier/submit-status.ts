/** Which submit_sm_resp statuses mean "try again later" rather than "this message is refused". Pure. */
import { Status } from '../../smpp/status.js';

const TEMPORARY = new Set<number>([
  Status.ESME_RTHROTTLED, Status.ESME_RMSGQFUL, Status.ESME_RSYSERR, Status.ESME_RX_T_APPN,
]);

export function isTemporarySubmitStatus(status: number): boolean {
  return TEMPORARY.has(status);
}
