/**
 * SMPP time fields (schedule_delivery_time, validity_period, final_date): `YYMMDDhhmmsstnnp`,
 * absolute when p is `+` or `-` (nn quarter hours from UTC), relative when p is `R`. Pure.
 */

/** True for an empty field or a well-formed absolute or relative time. */
export function isValidSmppTime(value: string): boolean {
  if (value === '') return true;
  const m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d)(\d\d)([+\-R])$/.exec(value);
  if (!m) return false;
  const [, , mo, dd, hh, mi, ss, , nn, p] = m.map((v, i) => (i === 9 ? v : Number(v))) as [unknown, number, number, number, number, number, number, number, number, string];
  if (p === 'R') return hh <= 23 && mi <= 59 && ss <= 59 && mo <= 12 && dd <= 31 && nn === 0;
  return mo >= 1 && mo <= 12 && dd >= 1 && dd <= 31 && hh <= 23 && mi <= 59 && ss <= 59 && nn <= 48;
}

/** `YYMMDDhhmm00000+` in UTC, as query_sm_resp final_date wants it. */
export function formatSmppTime(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(at.getUTCFullYear() % 100)}${two(at.getUTCMonth() + 1)}${two(at.getUTCDate())}${two(at.getUTCHours())}${two(at.getUTCMinutes())}${two(at.getUTCSeconds())}000+`;
}
