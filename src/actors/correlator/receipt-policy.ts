/** Whether a customer asked for a receipt with this outcome (registered_delivery bits 0-1). Pure. */
export function wantsReceipt(registeredDelivery: number, stat: string): boolean {
  switch (registeredDelivery & 0x03) {
    case 0x01:
      return true;
    case 0x02:
      return stat !== 'DELIVRD' && stat !== 'ACCEPTD' && stat !== 'ENROUTE';
    default:
      return false;
  }
}
