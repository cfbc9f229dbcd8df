import type { Tally } from "../bindings";
import { antigenOf } from "./codes";

/** Doses given per antigen, in the order of `antigens`; antigens the tally lacks count 0. */
export function tallyByAntigen<A extends string>(t: Tally | null, antigens: readonly A[]): { antigen: A; doses: number }[] {
  const m = new Map<string, number>();
  if (t) {
    if (t.by_antigen?.length) for (const a of t.by_antigen) m.set(a.antigen, (m.get(a.antigen) ?? 0) + a.doses);
    else for (const d of t.by_dose ?? []) m.set(antigenOf(d.code), (m.get(antigenOf(d.code)) ?? 0) + d.doses);
  }
  return antigens.map((a) => ({ antigen: a, doses: m.get(a) ?? 0 }));
}

export function totalDoses(t: Tally | null): number {
  if (!t) return 0;
  return (t.by_dose ?? []).reduce((s, d) => s + d.doses, 0);
}

export function totalNotGiven(t: Tally | null): number {
  if (!t) return 0;
  return (t.not_given ?? []).reduce((s, d) => s + d.count, 0);
}

/** Antigens worth asking vials for at closing: those given in the session, in `antigens` order. */
export function vialAntigens<A extends string>(t: Tally | null, antigens: readonly A[]): A[] {
  const used = tallyByAntigen(t, antigens).filter((a) => a.doses > 0 && a.antigen !== "VITA").map((a) => a.antigen);
  return used.length ? used : antigens.filter((a) => a !== "VITA");
}

/** Keeps a vial count a whole number between 0 and 999. */
export function clampVials(n: number): number {
  if (!Number.isFinite(n)) return 0;
  return Math.min(999, Math.max(0, Math.round(n)));
}
