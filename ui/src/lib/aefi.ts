// The AEFI form's pure logic. The signs, which of them make a report serious, and where it may be
// referred are the core's (generated from crates/domain: `AefiSign::minimum_severity`); here is
// only how the form uses them, and the onset's local date and time as an instant.
import type { AefiSeverity, AefiSign, ReasonCode } from "../bindings";
import { AEFI_SIGNS, CHILD_REASONS, MAX_NOTE, NOTE_REASONS, PREGNANT_WOMAN_REASONS, REFERRALS, SERIOUS_SIGNS } from "../bindings";

export { AEFI_SIGNS, MAX_NOTE, REFERRALS, SERIOUS_SIGNS };

/** The least severity the ticked signs allow: serious with a danger sign, else minor. */
export function minimumSeverity(signs: readonly string[]): AefiSeverity {
  return signs.some((s) => (SERIOUS_SIGNS as readonly string[]).includes(s)) ? "serious" : "minor";
}

const ORDER: AefiSeverity[] = ["minor", "severe", "serious"];

/** Whether `severity` may be chosen with these signs (not below their minimum). */
export function severityAllowed(severity: AefiSeverity, signs: readonly string[]): boolean {
  return ORDER.indexOf(severity) >= ORDER.indexOf(minimumSeverity(signs));
}

/** Severe and serious reports ask for the onset and show the referral step. */
export const needsReferral = (severity: AefiSeverity | null) => severity === "severe" || severity === "serious";

/** Only the signs the core knows (an older report's text stays in `observed`). */
export const knownSigns = (signs: readonly string[]): AefiSign[] =>
  signs.filter((s): s is AefiSign => (AEFI_SIGNS as readonly string[]).includes(s));

/** A time of day (24 hours: "HH:MM", "H.MM" or the digits alone) as [hours, minutes], or null. */
export function parseTime(text: string): [number, number] | null {
  // "09:30", "9.30", or typed on the digit pad the time field opens: "0930", "930".
  const m = /^\s*([01]?\d|2[0-3])[:.]?([0-5]\d)\s*$/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/** The instant (RFC 3339, UTC) of a local date (YYYY-MM-DD) and time ("HH:MM") on this phone. */
export function onsetInstant(dateIso: string, time: string): string | null {
  const hm = parseTime(time);
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateIso);
  if (!hm || !d) return null;
  const at = new Date(Number(d[1]), Number(d[2]) - 1, Number(d[3]), hm[0], hm[1]);
  return Number.isNaN(at.getTime()) ? null : at.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A saved onset as the phone's local date (YYYY-MM-DD) and time ("HH:MM"). */
export function onsetParts(instant: string): { date: string; time: string } | null {
  const at = new Date(instant);
  if (Number.isNaN(at.getTime())) return null;
  const p = (n: number) => String(n).padStart(2, "0");
  return { date: `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())}`, time: `${p(at.getHours())}:${p(at.getMinutes())}` };
}

/** The reasons offered for this kind of beneficiary (`ReasonCode::applies_to`), in the core's order. */
export function reasonsFor(kind: string, offered: readonly ReasonCode[]): ReasonCode[] {
  const applies = (kind === "pregnant_woman" ? PREGNANT_WOMAN_REASONS : CHILD_REASONS) as readonly string[];
  return offered.filter((r) => applies.includes(r));
}

/** Whether the reason asks for a short note ("other reason"). */
export const needsNote = (reason: string) => (NOTE_REASONS as readonly string[]).includes(reason);
