// Small pure helpers for lists and forms.

/** Lower-case, accents and extra spaces removed: for filtering names on the device. */
export function fold(s: string): string {
  return s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, " ").trim();
}

export function matchesName(item: { name: string; register_id?: string }, query: string): boolean {
  const q = fold(query);
  if (!q) return true;
  return fold(item.name).includes(q) || (item.register_id ? fold(item.register_id).includes(q) : false);
}

/** PIN: 4–6 digits. */
export function validPin(pin: string): boolean {
  return /^\d{4,6}$/.test(pin);
}

/** Phone: empty, or 10 to 13 digits with `+`, spaces and dashes allowed (docs/formats.md). */
export function validPhone(phone: string): boolean {
  const p = phone.trim();
  if (!p) return true;
  if (!/^[+\d\s-]+$/.test(p)) return false;
  const digits = p.replace(/\D/g, "").length;
  return digits >= 10 && digits <= 13;
}

/** How many rows of a long list to render: starts at `page`, grows by `page` near the end. */
export function grow(shown: number, total: number, page = 60): number {
  return Math.min(total, Math.max(page, shown + page));
}

/** Percent with one decimal, or an em dash for null. */
export function pct(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  return `${n.toFixed(1)}%`;
}

/** Width of a bar in percent of its track, clamped to 0–100. */
export function barWidth(n: number | null | undefined, max = 100): number {
  if (n === null || n === undefined || !Number.isFinite(n) || max <= 0) return 0;
  return Math.max(0, Math.min(100, (n / max) * 100));
}

/** Clock skew above five minutes is flagged. */
export function skewFlagged(ms: number | null | undefined): boolean {
  return ms !== null && ms !== undefined && Math.abs(ms) > 5 * 60 * 1000;
}
