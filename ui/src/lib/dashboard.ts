// The round dashboard's pure logic: the phones' last sync in words and their order and marks,
// the red list's groups, and the charts' scales. No clock: `nowMs` is an argument.
import type { DeviceInfo, RedItem, Wastage } from "../bindings";
import { timeAgo, type Ago } from "./dates";
import { skewFlagged } from "./text";

/** An area below this share of its due list is on the red list (the domain's figure). */
export const LOW_COVERAGE = 80;
/** A phone not synced for this long is marked. */
export const STALE_MS = 24 * 60 * 60 * 1000;

/** The last sync as words: the key of `dash.ago.*` (or `ago.never`, `ago.just_now`) and its n. */
export function syncWords(ts: string | null | undefined, nowMs: number): { key: string; n?: number } {
  const a: Ago = timeAgo(ts, nowMs);
  if (a.unit === "never" || a.unit === "just_now") return { key: "ago." + a.unit };
  return { key: "dash.ago." + a.unit, n: a.n };
}

/** Never synced, or not in the last 24 hours. */
export function stale(ts: string | null | undefined, nowMs: number): boolean {
  if (!ts) return true;
  const t = Date.parse(ts);
  return Number.isNaN(t) || nowMs - t > STALE_MS;
}

/** The last part of an area path: a phone's village (or its sub-centre, block…). */
export function lastSegment(path: string): string {
  const parts = path.split("/").filter((p) => p.trim() !== "");
  return parts.length ? parts[parts.length - 1] : path;
}

export type PhoneRow = { device: DeviceInfo; village: string; stale: boolean; skew: boolean };

/** The phones, oldest sync first (never synced at the top), each marked when it has not synced
 * in 24 hours or its clock is off by more than 5 minutes. */
export function phoneRows(devices: readonly DeviceInfo[], nowMs: number): PhoneRow[] {
  const at = (d: DeviceInfo) => {
    const t = d.last_sync_at ? Date.parse(d.last_sync_at) : NaN;
    return Number.isNaN(t) ? -Infinity : t;
  };
  return [...devices]
    .sort((a, b) => at(a) - at(b) || (a.device_id < b.device_id ? -1 : a.device_id > b.device_id ? 1 : 0))
    .map((d) => ({ device: d, village: lastSegment(d.area), stale: stale(d.last_sync_at, nowMs), skew: skewFlagged(d.clock_skew_ms) }));
}

export const RED_KINDS = ["low_coverage", "not_reported", "old_case", "serious_aefi"] as const;
export type RedKind = (typeof RED_KINDS)[number];

/** The red list in its four groups, in that order, only those with items (each keeps the
 * report's order: the lowest coverage first, then by day). */
export function redGroups(items: readonly RedItem[]): { kind: RedKind; items: RedItem[] }[] {
  return RED_KINDS.map((kind) => ({ kind, items: items.filter((i) => i.kind === kind) })).filter((g) => g.items.length > 0);
}

/** A share as a bar's length on a 0–100 scale (clamped; nothing for no figure). */
export function scale(value: number | null | undefined, max = 100): number {
  if (value === null || value === undefined || !Number.isFinite(value) || max <= 0) return 0;
  return Math.max(0, Math.min(100, (value / max) * 100));
}

/** The bars of a small chart of counts, each as a length on a 0–100 scale of the largest
 * (all 0 when every count is 0). */
export function countScale(counts: readonly number[]): number[] {
  const max = Math.max(0, ...counts);
  return counts.map((c) => (max > 0 ? scale(c, max) : 0));
}

/** A line chart's points in a `w`×`h` box, a value of 0–100 per step, from left to right (no
 * figure: no point); "x,y x,y …" for an SVG polyline. */
export function linePoints(values: readonly (number | null)[], w: number, h: number): string {
  const step = values.length > 1 ? w / (values.length - 1) : 0;
  return values
    .map((v, i) => (v === null || !Number.isFinite(v) ? null : `${round(values.length > 1 ? i * step : w / 2)},${round(h - (scale(v) / 100) * h)}`))
    .filter((p): p is string => p !== null)
    .join(" ");
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Wastage to flag: negative (more doses given than the vials held) or a data error. */
export function wastageFlagged(w: Wastage): boolean {
  return w.data_error || (w.rate !== null && w.rate < 0);
}

/** Below the 80% line. */
export function lowCoverage(percent: number | null | undefined): boolean {
  return percent !== null && percent !== undefined && percent < LOW_COVERAGE;
}
