import { describe, expect, it } from "vitest";
import { caseBadge, isOpen, lastVisit, mayAssign, parseAttendance, refusedDoses, timeline, visitorOf } from "./cases";

const state = (status: string, agreed_on: string | null = null) =>
  ({ status, opened_on: "2026-11-01", persuaded_on: null, agreed_on, last_visit: null, visits: 0, escalated_on: null }) as never;
const visit = (id: string, date: string) => ({ id, date, by: "asha", by_name: null, action: "home_visit", outcome: "still_refusing", note: null }) as never;

describe("case files", () => {
  it("the badge tells an agreed family (dose awaited) from an open one", () => {
    expect(caseBadge({ state: state("open") })).toBe("open");
    expect(caseBadge({ state: state("open", "2026-11-20") })).toBe("agreed");
    expect(caseBadge({ state: state("persuaded") })).toBe("persuaded");
    expect(caseBadge({ state: state("still_refusing") })).toBe("still_refusing");
    expect([state("open"), state("still_refusing"), state("persuaded"), state("migrated")].map((s) => isOpen({ state: s }))).toEqual([true, true, false, false]);
  });
  it("the refused doses once each, the last visit and the timeline newest first", () => {
    const c = {
      refusals: [{ codes: ["OPV1", "PENTA1"] }, { codes: ["PENTA1", "MR1"] }] as never,
      visits: [visit("b", "2026-11-05"), visit("a", "2026-11-09"), visit("c", "2026-11-05")],
    };
    expect(refusedDoses(c)).toEqual(["OPV1", "PENTA1", "MR1"]);
    expect((lastVisit(c) as { id: string }).id).toBe("a");
    expect(timeline(c).map((v) => (v as { id: string }).id)).toEqual(["a", "c", "b"]);
    expect(lastVisit({ visits: [] })).toBeNull();
  });
  it("roles: who visits as whom, who assigns", () => {
    expect([visitorOf("asha"), visitorOf("anm"), visitorOf("supervisor")]).toEqual(["asha", "anm", null]);
    expect([mayAssign("asha"), mayAssign("anm"), mayAssign("supervisor")]).toEqual([false, true, true]);
  });
  it("attendance is a whole number up to 10000", () => {
    expect(parseAttendance(" 14 ")).toEqual({ ok: true, n: 14 });
    expect(parseAttendance("0")).toEqual({ ok: true, n: 0 });
    expect(parseAttendance("")).toEqual({ ok: false, problem: "empty" });
    expect(parseAttendance("1.5")).toEqual({ ok: false, problem: "not_number" });
    expect(parseAttendance("10001")).toEqual({ ok: false, problem: "too_many" });
    expect(parseAttendance("10000")).toEqual({ ok: true, n: 10000 });
  });
});
