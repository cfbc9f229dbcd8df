// The case-files screen's own logic (issue 11): what a case row says, what the forms check.
// Where a case stands is the core's (`state`, from `teeka_domain::monitor::case_state`).
import type { CaseFileRecord, DoseCode, Persuader, Visit, WorkerRole } from "../bindings";
import { MAX_ATTENDANCE } from "../bindings";

export { ACTIVITY_KINDS, PERSUADERS, VISIT_ACTIONS, VISIT_OUTCOMES, MAX_ATTENDANCE } from "../bindings";

/** What a case's badge says: the core's status, with "agreed" (the last visit said persuaded,
 * the dose still awaited) told apart from a plain open case. */
export type CaseBadge = "open" | "agreed" | "still_refusing" | "persuaded" | "migrated";

export function caseBadge(c: Pick<CaseFileRecord, "state">): CaseBadge {
  if (c.state.status === "open" && c.state.agreed_on) return "agreed";
  return c.state.status;
}

/** Still to work on: open (agreed included) or still refusing. */
export const isOpen = (c: Pick<CaseFileRecord, "state">) => c.state.status === "open" || c.state.status === "still_refusing";

/** Every dose the family refused, once each, in the order of the refusals. */
export function refusedDoses(c: Pick<CaseFileRecord, "refusals">): DoseCode[] {
  const out: DoseCode[] = [];
  for (const r of c.refusals) for (const d of r.codes) if (!out.includes(d)) out.push(d);
  return out;
}

/** The last visit (by date, then id, as the core orders them), or null. */
export function lastVisit(c: Pick<CaseFileRecord, "visits">): Visit | null {
  const v = [...c.visits].sort((a, b) => (a.date === b.date ? a.id.localeCompare(b.id) : a.date.localeCompare(b.date)));
  return v.length ? v[v.length - 1] : null;
}

/** The visits newest first: the case's timeline. */
export function timeline(c: Pick<CaseFileRecord, "visits">): Visit[] {
  return [...c.visits].sort((a, b) => (a.date === b.date ? b.id.localeCompare(a.id) : b.date.localeCompare(a.date)));
}

/** Who a worker of `role` visits as: an ASHA as an ASHA, an ANM as an ANM; a supervisor picks. */
export function visitorOf(role: WorkerRole | undefined): Persuader | null {
  return role === "asha" ? "asha" : role === "anm" ? "anm" : null;
}

/** Assigning and escalating are for an ANM or a supervisor. */
export const mayAssign = (role: WorkerRole | undefined) => role === "anm" || role === "supervisor";

/** The attendance typed, or a problem: "empty", "not_number", "too_many". */
export function parseAttendance(text: string): { ok: true; n: number } | { ok: false; problem: "empty" | "not_number" | "too_many" } {
  const s = text.trim();
  if (!s) return { ok: false, problem: "empty" };
  if (!/^\d+$/.test(s)) return { ok: false, problem: "not_number" };
  const n = parseInt(s, 10);
  if (n > MAX_ATTENDANCE) return { ok: false, problem: "too_many" };
  return { ok: true, n };
}
