// Dates: ISO `YYYY-MM-DD` on the wire, `DD/MM/YYYY` on screen.

/** True when y-m-d is a real calendar date. */
export function isRealDate(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return false;
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) return false;
  return d <= daysInMonth(y, m);
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** `2026-02-03` → `03/02/2026`; anything else (null, empty, malformed) → "". Timestamps keep their date. */
export function isoToDisplay(iso: string | null | undefined): string {
  if (!iso) return "";
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : "";
}

export type DateProblem = "empty" | "format" | "impossible" | "future" | "too_old";
export type Parsed = { ok: true; iso: string } | { ok: false; problem: DateProblem };

/** Reads `DD/MM/YYYY` (one-digit day/month allowed) and checks it; `today` is ISO. */
export function parseDisplayDate(
  text: string,
  opts: { today?: string; allowFuture?: boolean; minIso?: string } = {},
): Parsed {
  const t = text.trim();
  if (!t) return { ok: false, problem: "empty" };
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  if (!m) return { ok: false, problem: "format" };
  const d = +m[1], mo = +m[2], y = +m[3];
  if (!isRealDate(y, mo, d)) return { ok: false, problem: "impossible" };
  const iso = `${pad(y, 4)}-${pad(mo)}-${pad(d)}`;
  if (opts.today && !opts.allowFuture && iso > opts.today) return { ok: false, problem: "future" };
  if (opts.minIso && iso < opts.minIso) return { ok: false, problem: "too_old" };
  return { ok: true, iso };
}

/**
 * Keeps what a worker types on a numeric keypad as `DD/MM/YYYY`: digits only, slashes
 * inserted after the day and the month. A deletion (shorter than before) keeps the text as typed.
 */
export function maskDateInput(next: string, prev = ""): string {
  if (next.length < prev.length) return next.replace(/[^\d/]/g, "");
  const digits = next.replace(/\D/g, "").slice(0, 8);
  let out = digits.slice(0, 2);
  if (digits.length >= 2) out += "/";
  out += digits.slice(2, 4);
  if (digits.length >= 4) out += "/";
  out += digits.slice(4, 8);
  return out;
}

/** Days from ISO a to ISO b (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(b + "T00:00:00Z") - Date.parse(a + "T00:00:00Z")) / 86400000);
}

export function addDays(iso: string, days: number): string {
  const t = new Date(Date.parse(iso + "T00:00:00Z") + days * 86400000);
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** Age in completed months on `today` (both ISO). */
export function ageMonths(dob: string, today: string): number {
  const [y1, m1, d1] = dob.split("-").map(Number);
  const [y2, m2, d2] = today.split("-").map(Number);
  let months = (y2 - y1) * 12 + (m2 - m1);
  if (d2 < d1) months -= 1;
  return Math.max(0, months);
}

export type Ago =
  | { unit: "never" }
  | { unit: "just_now" }
  | { unit: "min" | "hour" | "day"; n: number };

/** How long ago an RFC 3339 timestamp was, relative to `nowMs`. */
export function timeAgo(ts: string | null | undefined, nowMs: number): Ago {
  if (!ts) return { unit: "never" };
  const t = Date.parse(ts);
  if (Number.isNaN(t)) return { unit: "never" };
  const mins = Math.floor((nowMs - t) / 60000);
  if (mins < 1) return { unit: "just_now" };
  if (mins < 60) return { unit: "min", n: mins };
  const hours = Math.floor(mins / 60);
  if (hours < 24) return { unit: "hour", n: hours };
  return { unit: "day", n: Math.floor(hours / 24) };
}
