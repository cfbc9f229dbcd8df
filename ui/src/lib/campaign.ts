// The campaign's pure logic for the screens: an open vial's countdown from the time left the
// app gave (ticking locally from when it answered, never from the wall clock), and the
// calendar strip's weeks.

/** The time left on an open vial, as the core gives it (`teeka_domain::ledger::TimeLeft`). */
export interface TimeLeftLike {
  limit: "four_hours" | "twenty_eight_days" | "session_end";
  minutes_left: number | null;
  days_left: number | null;
  past_limit: boolean;
}

export const FOUR_HOURS_MIN = 240;
export const OPEN_VIAL_DAYS = 28;

/** What the timer shows: minutes or days left, the share of the limit left (0–1, for the ring),
 * and whether the vial is past it. `elapsedMs`: time since the core answered (a monotonic
 * clock), so that the 4-hour countdown ticks without reading the date. */
export interface Remaining {
  unit: "minutes" | "days" | "none";
  left: number;
  fraction: number;
  past: boolean;
  /** Under 30 minutes, or the last 3 days: shown in the warning colour. */
  soon: boolean;
}

export function remaining(t: TimeLeftLike, elapsedMs = 0): Remaining {
  if (t.limit === "four_hours") {
    const left = Math.max(0, (t.minutes_left ?? 0) - Math.floor(Math.max(0, elapsedMs) / 60000));
    const past = t.past_limit || left <= 0;
    return { unit: "minutes", left, fraction: Math.min(1, left / FOUR_HOURS_MIN), past, soon: !past && left <= 30 };
  }
  if (t.limit === "twenty_eight_days") {
    const left = Math.max(0, t.days_left ?? 0);
    const past = t.past_limit || left <= 0;
    return { unit: "days", left, fraction: Math.min(1, left / OPEN_VIAL_DAYS), past, soon: !past && left <= 3 };
  }
  return { unit: "none", left: 0, fraction: 1, past: t.past_limit, soon: false };
}

/** `h:mm` of a number of minutes (3:05). */
export function hoursMinutes(min: number): string {
  const m = Math.max(0, Math.floor(min));
  return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}`;
}

/** Monday-first weekday index (0 = Monday … 6 = Sunday) of an ISO date. */
export function weekdayIndex(iso: string): number {
  const [y, m, d] = iso.split("-").map(Number);
  const w = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return (w + 6) % 7;
}

/** The days in weeks of seven, Monday first, with `null` before the first and after the last. */
export function weeks<T extends { date: string }>(days: readonly T[]): (T | null)[][] {
  if (days.length === 0) return [];
  const out: (T | null)[][] = [];
  let week: (T | null)[] = Array(weekdayIndex(days[0].date)).fill(null);
  for (const d of days) {
    week.push(d);
    if (week.length === 7) {
      out.push(week);
      week = [];
    }
  }
  if (week.length > 0) out.push([...week, ...Array(7 - week.length).fill(null)]);
  return out;
}

/** The round's last days, when the mop-up list is shown: the last two working days. */
export function isMopUpDay(working: readonly string[], day: string, last = 2): boolean {
  const i = working.indexOf(day);
  return i >= 0 && i >= working.length - last;
}

/** Kilometres from the microplan's tenths ("2.5"). */
export const km = (tenths: number | null | undefined) => (tenths == null ? "" : (tenths / 10).toFixed(tenths % 10 === 0 ? 0 : 1));

/** Tenths of a kilometre from typed text ("2.5" → 25; "" → null; not a number → undefined). */
export function tenthsOf(text: string): number | null | undefined {
  const s = text.trim().replace(",", ".");
  if (!s) return null;
  if (!/^\d{1,4}(\.\d)?$/.test(s)) return undefined;
  return Math.round(Number(s) * 10);
}

/** One antigen of a carry kit (`teeka_domain::kit::KitItem`). */
export interface KitItemLike {
  antigen: string;
  doses_due: number;
  doses_needed: number;
  vials: number;
  open_vials_usable: number;
}

/** A kit's supplies (`teeka_domain::kit::Supplies`). */
export interface SuppliesLike {
  ad_syringes_0_1ml: number;
  ad_syringes_0_5ml: number;
  reconstitution_syringes: number;
  diluents: { BCG: number; MR: number; JE: number };
  hub_cutters: number;
  red_bags: number;
  black_bags: number;
  mcp_cards: number;
}
