import { describe, expect, it } from "vitest";
import { addDays, ageMonths, daysBetween, isoToDisplay, maskDateInput, parseDisplayDate, timeAgo } from "./dates";

describe("dates", () => {
  it("formats ISO as DD/MM/YYYY", () => {
    expect(isoToDisplay("2026-02-03")).toBe("03/02/2026");
    expect(isoToDisplay("2026-11-22T10:00:00Z")).toBe("22/11/2026");
    expect(isoToDisplay(null)).toBe("");
    expect(isoToDisplay("junk")).toBe("");
  });
  it("parses DD/MM/YYYY", () => {
    expect(parseDisplayDate("05/03/2025")).toEqual({ ok: true, iso: "2025-03-05" });
    expect(parseDisplayDate("5/3/2025")).toEqual({ ok: true, iso: "2025-03-05" });
    expect(parseDisplayDate(" 29/02/2024 ")).toEqual({ ok: true, iso: "2024-02-29" });
  });
  it("rejects impossible, malformed, empty and future dates", () => {
    expect(parseDisplayDate("31/02/2026")).toEqual({ ok: false, problem: "impossible" });
    expect(parseDisplayDate("29/02/2025")).toEqual({ ok: false, problem: "impossible" });
    expect(parseDisplayDate("31/04/2025")).toEqual({ ok: false, problem: "impossible" });
    expect(parseDisplayDate("00/01/2025")).toEqual({ ok: false, problem: "impossible" });
    expect(parseDisplayDate("12/13/2025")).toEqual({ ok: false, problem: "impossible" });
    expect(parseDisplayDate("2025-03-05")).toEqual({ ok: false, problem: "format" });
    expect(parseDisplayDate("05/03/25")).toEqual({ ok: false, problem: "format" });
    expect(parseDisplayDate("")).toEqual({ ok: false, problem: "empty" });
    expect(parseDisplayDate("02/01/2027", { today: "2027-01-01" })).toEqual({ ok: false, problem: "future" });
    expect(parseDisplayDate("01/01/2027", { today: "2027-01-01" })).toEqual({ ok: true, iso: "2027-01-01" });
    expect(parseDisplayDate("02/01/2027", { today: "2027-01-01", allowFuture: true }).ok).toBe(true);
    expect(parseDisplayDate("01/01/2020", { minIso: "2021-01-01" })).toEqual({ ok: false, problem: "too_old" });
  });
  it("masks typing into DD/MM/YYYY", () => {
    expect(maskDateInput("0")).toBe("0");
    expect(maskDateInput("05")).toBe("05/");
    expect(maskDateInput("05/0")).toBe("05/0");
    expect(maskDateInput("05/03")).toBe("05/03/");
    expect(maskDateInput("05032025")).toBe("05/03/2025");
    expect(maskDateInput("05/03/20251")).toBe("05/03/2025");
    expect(maskDateInput("ab05-03")).toBe("05/03/");
    // deleting keeps what is left, so the slash can be removed
    expect(maskDateInput("05", "05/")).toBe("05");
  });
  it("computes days and ages", () => {
    expect(daysBetween("2024-02-28", "2024-03-01")).toBe(2);
    expect(addDays("2024-12-31", 1)).toBe("2025-01-01");
    expect(ageMonths("2025-01-31", "2025-02-28")).toBe(0);
    expect(ageMonths("2025-01-15", "2026-01-15")).toBe(12);
  });
  it("says how long ago", () => {
    const now = Date.parse("2026-11-22T12:00:00Z");
    expect(timeAgo(null, now)).toEqual({ unit: "never" });
    expect(timeAgo("2026-11-22T11:59:40Z", now)).toEqual({ unit: "just_now" });
    expect(timeAgo("2026-11-22T11:55:00Z", now)).toEqual({ unit: "min", n: 5 });
    expect(timeAgo("2026-11-22T09:00:00Z", now)).toEqual({ unit: "hour", n: 3 });
    expect(timeAgo("2026-11-19T12:00:00Z", now)).toEqual({ unit: "day", n: 3 });
  });
});
