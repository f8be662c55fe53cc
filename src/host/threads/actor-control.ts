/**
 * Hands an operator's message to the actors it names on this thread's actor system and
 * collects their answers. Generic: which kinds accept which messages is the actors' business;
 * an actor that cannot handle one answers with an error, which is passed back as is.
 */
import { errorMessage } from '../../errors.js';
import { addressName, formatAddress } from '../../runtime/address.js';
import type { ActorSystem } from '../../runtime/system.js';
import type { ActorControl, ActorControlResult } from './protocol.js';

export async function controlActors(system: ActorSystem, control: ActorControl): Promise<ActorControlResult[]> {
  const targets = system.snapshot().filter((a) => a.kind === control.kind && (control.name === undefined || addressName(a.address).split('~')[0] === control.name));
  return Promise.all(targets.map(async (a): Promise<ActorControlResult> => {
    const address = formatAddress(a.address);
    const ref = system.lookup(a.address);
    if (!ref) return { address, ok: false, error: { message: `${address} stopped`, code: 'ACTOR_STOPPED' } };
    try {
      return { address, ok: true, value: await ref.ask<unknown>(control.message, control.timeoutMs) };
    } catch (err) {
      return { address, ok: false, error: { message: errorMessage(err), code: (err as { code?: unknown }).code as string ?? null } };
    }
  }));
}
