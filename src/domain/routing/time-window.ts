/**
 * Route time windows: when, in a route's time zone, a route may be taken. Pure: `now` comes in.
 */
import { ConfigError } from '../../errors.js';
import type { TimeWindowConfig, Weekday } from '../../config/types.js';

const DAY_INDEX: Readonly<Record<Weekday, number>> = { mon: 0, tue: 1, wed: 2, thu: 3, fri: 4, sat: 5, sun: 6 };
const SHORT_DAY: Readonly<Record<string, number>> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

/** Weekday (0 = Monday) and minute of the day of an instant in a zone. */
export interface LocalTime {
  day: number;
  minute: number;
}

export type LocalClock = (now: number) => LocalTime;

/** A clock for an IANA zone (or `UTC`); throws a ConfigError naming `field` for an unknown zone. */
export function clockFor(timeZone: string, field: string): LocalClock {
  if (timeZone === 'UTC') {
    return (now) => {
      const d = new Date(now);
      return { day: (d.getUTCDay() + 6) % 7, minute: d.getUTCHours() * 60 + d.getUTCMinutes() };
    };
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  } catch {
    throw new ConfigError(field, 'is not a known time zone (an IANA name such as Europe/London, or UTC)', timeZone);
  }
  return (now) => {
    let day = 0;
    let hour = 0;
    let minute = 0;
    for (const p of format.formatToParts(now)) {
      if (p.type === 'weekday') day = SHORT_DAY[p.value] ?? 0;
      else if (p.type === 'hour') hour = Number(p.value) % 24;
      else if (p.type === 'minute') minute = Number(p.value);
    }
    return { day, minute: hour * 60 + minute };
  };
}

export interface CompiledWindow {
  /** Bit d set: the window starts on weekday d. */
  days: number;
  from: number;
  to: number;
}

export function compileWindow(w: TimeWindowConfig, field: string): CompiledWindow {
  const from = minuteOf(w.from, `${field}.from`);
  const to = minuteOf(w.to, `${field}.to`);
  if (from === to) throw new ConfigError(`${field}.to`, 'must differ from from (00:00 to 24:00 is the whole day)', w.to);
  if (from === 1440) throw new ConfigError(`${field}.from`, 'must be before 24:00', w.from);
  let days = 0;
  for (const d of w.days) days |= 1 << DAY_INDEX[d];
  return { days, from, to };
}

function minuteOf(hhmm: string, field: string): number {
  const m = /^(\d\d):(\d\d)$/.exec(hhmm);
  const minute = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!(minute >= 0 && minute <= 1440) || Number(m?.[2]) > 59) throw new ConfigError(field, 'must be hh:mm', hhmm);
  return minute;
}

/** Whether `t` falls in the window. A window crossing midnight belongs to the day it starts on. */
export function inWindow(w: CompiledWindow, t: LocalTime): boolean {
  const on = (day: number) => (w.days & (1 << day)) !== 0;
  if (w.from < w.to) return on(t.day) && t.minute >= w.from && t.minute < w.to;
  return (on(t.day) && t.minute >= w.from) || (on((t.day + 6) % 7) && t.minute < w.to);
}
