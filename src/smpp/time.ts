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

/**
 * The instant an SMPP time names, epoch ms; undefined for an empty field. Absolute: the local
 * time given, `nn` quarter hours ahead of UTC (`+`) or behind it (`-`). Relative (`R`): that
 * many years, months, days, hours, minutes and seconds after `now` (calendar arithmetic in UTC).
 * Throws RangeError for a value isValidSmppTime refuses.
 */
export function parseSmppTime(value: string, now: number): number | undefined {
  if (value === '') return undefined;
  if (!isValidSmppTime(value)) throw new RangeError(`not an SMPP time: ${JSON.stringify(value)}`);
  const n = (from: number) => Number(value.slice(from, from + 2));
  const [yy, mo, dd, hh, mi, ss] = [n(0), n(2), n(4), n(6), n(8), n(10)];
  const tenths = Number(value[12]);
  const p = value[15];
  if (p === 'R') {
    const d = new Date(now);
    d.setUTCFullYear(d.getUTCFullYear() + yy, d.getUTCMonth() + mo, d.getUTCDate() + dd);
    return d.getTime() + ((hh * 60 + mi) * 60 + ss) * 1000;
  }
  const offsetMs = n(13) * 15 * 60 * 1000 * (p === '+' ? 1 : -1);
  return Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss, tenths * 100) - offsetMs;
}
