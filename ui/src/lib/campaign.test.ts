import { describe, expect, it } from "vitest";
import { hoursMinutes, isMopUpDay, km, remaining, tenthsOf, weekdayIndex, weeks } from "./campaign";

describe("vial timers", () => {
  it("counts a reconstituted vial's minutes down from the core's answer, never below zero", () => {
    const t = { limit: "four_hours" as const, minutes_left: 200, days_left: null, past_limit: false };
    expect(remaining(t)).toEqual({ unit: "minutes", left: 200, fraction: 200 / 240, past: false, soon: false });
    expect(remaining(t, 175 * 60000).left).toBe(25);
    expect(remaining(t, 175 * 60000).soon).toBe(true);
    expect(remaining(t, 201 * 60000)).toMatchObject({ left: 0, past: true, soon: false });
  });
  it("shows the 28-day policy in days, past at zero", () => {
    expect(remaining({ limit: "twenty_eight_days", minutes_left: null, days_left: 28, past_limit: false })).toMatchObject({ unit: "days", left: 28, fraction: 1, past: false });
    expect(remaining({ limit: "twenty_eight_days", minutes_left: null, days_left: 2, past_limit: false }).soon).toBe(true);
    expect(remaining({ limit: "twenty_eight_days", minutes_left: null, days_left: 0, past_limit: true }).past).toBe(true);
  });
  it("a vial without a time limit is past only when the core says so (expired)", () => {
    expect(remaining({ limit: "session_end", minutes_left: null, days_left: null, past_limit: false })).toMatchObject({ unit: "none", past: false });
    expect(remaining({ limit: "session_end", minutes_left: null, days_left: null, past_limit: true }).past).toBe(true);
  });
  it("writes hours and minutes", () => {
    expect(hoursMinutes(185)).toBe("3:05");
    expect(hoursMinutes(0)).toBe("0:00");
  });
});

describe("the calendar strip", () => {
  it("puts IMI 2.0's first day, Monday 2 December 2019, first in its week", () => {
    expect(weekdayIndex("2019-12-02")).toBe(0);
    expect(weekdayIndex("2019-12-08")).toBe(6);
    const days = ["2019-12-04", "2019-12-05", "2019-12-06", "2019-12-07", "2019-12-08", "2019-12-09"].map((date) => ({ date }));
    const w = weeks(days);
    expect(w).toHaveLength(2);
    expect(w[0].map((d) => d?.date ?? null)).toEqual([null, null, "2019-12-04", "2019-12-05", "2019-12-06", "2019-12-07", "2019-12-08"]);
    expect(w[1].filter(Boolean)).toHaveLength(1);
    expect(w[1]).toHaveLength(7);
  });
  it("the mop-up list belongs to the round's last two working days", () => {
    const working = ["d1", "d2", "d3", "d4", "d5", "d6", "d7"];
    expect(working.filter((d) => isMopUpDay(working, d))).toEqual(["d6", "d7"]);
    expect(isMopUpDay(working, "x")).toBe(false);
  });
});

describe("distances", () => {
  it("reads and writes tenths of a kilometre", () => {
    expect(km(25)).toBe("2.5");
    expect(km(30)).toBe("3");
    expect(km(null)).toBe("");
    expect(tenthsOf("2.5")).toBe(25);
    expect(tenthsOf(" ")).toBe(null);
    expect(tenthsOf("2.55")).toBe(undefined);
    expect(tenthsOf("abc")).toBe(undefined);
  });
});
