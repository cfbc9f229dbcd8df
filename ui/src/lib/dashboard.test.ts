import { describe, expect, it } from "vitest";
import type { DeviceInfo, RedItem } from "../bindings";
import { countScale, lastSegment, linePoints, lowCoverage, phoneRows, redGroups, scale, stale, syncWords, wastageFlagged } from "./dashboard";
import { setLanguage, t } from "../i18n";

const NOW = Date.parse("2026-11-22T12:00:00Z");
const hoursAgo = (h: number) => new Date(NOW - h * 3600_000).toISOString();
const words = (ts: string | null) => {
  const w = syncWords(ts, NOW);
  return t(w.key, w.n === undefined ? undefined : { n: w.n });
};
const device = (id: string, last: string | null, over: Partial<DeviceInfo> = {}): DeviceInfo => ({
  device_id: id, area: "UP/Sitapur/Mahmudabad/Bhatpur/Rampur", role: "asha", worker: null, enrolled_at: "2026-10-01T00:00:00Z",
  last_sync_at: last, pending: 0, clock_skew_ms: null, revoked: false, ...over,
});

describe("the last sync in words", () => {
  it("in English and in Hindi, one and many", () => {
    setLanguage("en");
    expect(words(hoursAgo(2))).toBe("2 hours ago");
    expect(words(hoursAgo(1))).toBe("1 hour ago");
    expect(words(hoursAgo(0.5))).toBe("30 minutes ago");
    expect(words(hoursAgo(1 / 60))).toBe("1 minute ago");
    expect(words(hoursAgo(50))).toBe("2 days ago");
    expect(words(hoursAgo(0))).toBe("just now");
    expect(words(null)).toBe("never");
    setLanguage("hi");
    expect(words(hoursAgo(2))).toBe("2 घंटे पहले");
    expect(words(hoursAgo(1))).toBe("1 घंटा पहले");
    expect(words(hoursAgo(30))).toBe("1 दिन पहले");
    expect(words(null)).toBe("कभी नहीं");
    setLanguage("en");
  });

  it("not synced in 24 hours, or never, is stale; 24 hours exactly is not", () => {
    expect(stale(hoursAgo(23), NOW)).toBe(false);
    expect(stale(hoursAgo(24), NOW)).toBe(false);
    expect(stale(hoursAgo(24.1), NOW)).toBe(true);
    expect(stale(null, NOW)).toBe(true);
    expect(stale("garbage", NOW)).toBe(true);
  });
});

describe("the phones", () => {
  it("oldest sync first, never synced at the top; stale and clocks off marked; the village is the path's last part", () => {
    const rows = phoneRows(
      [device("b", hoursAgo(1)), device("a", hoursAgo(30), { clock_skew_ms: -6 * 60_000 }), device("c", null), device("d", hoursAgo(1), { clock_skew_ms: 5 * 60_000 })],
      NOW,
    );
    expect(rows.map((r) => [r.device.device_id, r.stale, r.skew])).toEqual([
      ["c", true, false],
      ["a", true, true],
      ["b", false, false],
      ["d", false, false],
    ]);
    expect(rows[0].village).toBe("Rampur");
    expect(lastSegment("UP/Sitapur/")).toBe("Sitapur");
    expect(lastSegment("Block")).toBe("Block");
  });
});

describe("the red list's groups", () => {
  it("four groups in order, the empty ones left out, each in the report's order", () => {
    const items: RedItem[] = [
      { kind: "serious_aefi", register_id: "B-1", area: "B/S/R", date: "2026-11-20" },
      { kind: "low_coverage", area: "B/S/R", name: "R", due: 10, vaccinated: 2, percent: 20 },
      { kind: "low_coverage", area: "B/S/K", name: "K", due: 10, vaccinated: 5, percent: 50 },
      { kind: "old_case", household_id: "HH-1", area: "B/S/R", opened_on: "2026-11-10", days_open: 12, status: "open" },
    ];
    const groups = redGroups(items);
    expect(groups.map((g) => [g.kind, g.items.length])).toEqual([["low_coverage", 2], ["old_case", 1], ["serious_aefi", 1]]);
    expect(groups[0].items.map((i) => (i.kind === "low_coverage" ? i.name : ""))).toEqual(["R", "K"]);
    expect(redGroups([])).toEqual([]);
  });
});

describe("the charts' scales", () => {
  it("bars clamp to 0–100; counts scale to the largest; the 80% line", () => {
    expect([scale(null), scale(50), scale(130), scale(-5), scale(3, 6)]).toEqual([0, 50, 100, 0, 50]);
    expect(countScale([0, 2, 4])).toEqual([0, 50, 100]);
    expect(countScale([0, 0])).toEqual([0, 0]);
    expect([lowCoverage(79.9), lowCoverage(80), lowCoverage(null)]).toEqual([true, false, false]);
  });

  it("a line's points run left to right, 100% at the top, no point without a figure", () => {
    expect(linePoints([0, 50, 100], 100, 40)).toBe("0,40 50,20 100,0");
    expect(linePoints([null, 25], 100, 40)).toBe("100,30");
    expect(linePoints([60], 100, 40)).toBe("50,16");
    expect(linePoints([], 100, 40)).toBe("");
  });

  it("negative wastage and data errors are flagged", () => {
    const w = (rate: number | null, data_error: boolean) => ({ antigen: "BCG" as const, vials_opened: 1, doses_in_vials: 10, doses_given: 2, rate, data_error });
    expect([wastageFlagged(w(80, false)), wastageFlagged(w(-20, true)), wastageFlagged(w(-5, false)), wastageFlagged(w(null, false))]).toEqual([false, true, true, false]);
  });
});
