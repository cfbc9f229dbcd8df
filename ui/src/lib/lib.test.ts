import { describe, expect, it, vi } from "vitest";
import { DOSE_CODES, antigenOf, groupCard, ANTIGENS } from "./codes";
import { clampVials, tallyByAntigen, totalDoses, vialAntigens } from "./tally";
import { barWidth, grow, matchesName, pct, skewFlagged, validPhone, validPin } from "./text";
import { throttle } from "./throttle";
import { setLanguage as setLang, t as tr } from "../i18n";
import { knownSigns, minimumSeverity, needsNote, needsReferral, onsetInstant, onsetParts, parseTime, reasonsFor, severityAllowed } from "./aefi";
import type { Tally } from "../bindings";

describe("MCP card grouping", () => {
  it("puts every dose code in one group, keeping birth first", () => {
    const g = groupCard([...DOSE_CODES]);
    expect(g[0]).toEqual({ key: "birth", codes: ["BCG", "HEPB0", "OPV0"] });
    const all = g.flatMap((x) => x.codes);
    expect(all.length).toBe(DOSE_CODES.length);
    expect(new Set(all)).toEqual(new Set(DOSE_CODES));
    expect(g.find((x) => x.key === "other")).toBeUndefined();
  });
  it("shows only the codes offered, and unknown ones under other", () => {
    expect(groupCard(["TD1", "TD2", "TDB"])).toEqual([{ key: "pregnancy", codes: ["TD1", "TD2", "TDB"] }]);
    expect(groupCard(["BCG", "NEW1"])).toEqual([
      { key: "birth", codes: ["BCG"] },
      { key: "other", codes: ["NEW1"] },
    ]);
  });
  it("maps codes to antigens", () => {
    expect(antigenOf("PENTA2")).toBe("PENTA");
    expect(antigenOf("HEPB0")).toBe("HEPB");
    expect(antigenOf("OPVB")).toBe("OPV");
    expect(antigenOf("DPTB2")).toBe("DPT");
    expect(antigenOf("PCVB")).toBe("PCV");
    expect(antigenOf("TD16")).toBe("TD");
    for (const c of DOSE_CODES) expect(ANTIGENS).toContain(antigenOf(c));
  });
});

const tally: Tally = {
  session_id: "s",
  by_antigen: [{ antigen: "PENTA", doses: 3 }, { antigen: "OPV", doses: 2 }, { antigen: "VITA", doses: 1 }],
  by_dose: [{ code: "PENTA1", doses: 2 }, { code: "PENTA2", doses: 1 }, { code: "OPV1", doses: 2 }, { code: "VITA1", doses: 1 }],
  not_given: [{ reason: "CHILD_SICK", count: 1 }],
  aefi: { minor: 0, severe: 0, serious: 0 },
  beneficiaries: 3, children: 3, pregnant_women: 0,
};

describe("tally", () => {
  it("sums by antigen in the given order, zero for missing", () => {
    expect(tallyByAntigen(tally, ["BCG", "OPV", "PENTA"])).toEqual([
      { antigen: "BCG", doses: 0 }, { antigen: "OPV", doses: 2 }, { antigen: "PENTA", doses: 3 },
    ]);
    expect(tallyByAntigen(null, ["BCG"])).toEqual([{ antigen: "BCG", doses: 0 }]);
  });
  it("falls back to by_dose when by_antigen is empty", () => {
    expect(tallyByAntigen({ ...tally, by_antigen: [] }, ["PENTA", "OPV"])).toEqual([
      { antigen: "PENTA", doses: 3 }, { antigen: "OPV", doses: 2 },
    ]);
  });
  it("totals, vial antigens (no vitamin A), clamping", () => {
    expect(totalDoses(tally)).toBe(6);
    expect(vialAntigens(tally, ANTIGENS)).toEqual(["OPV", "PENTA"]);
    expect(vialAntigens(null, ["BCG", "VITA"])).toEqual(["BCG"]);
    expect(clampVials(-1)).toBe(0);
    expect(clampVials(2.6)).toBe(3);
    expect(clampVials(NaN)).toBe(0);
    expect(clampVials(5000)).toBe(999);
  });
});

describe("text helpers", () => {
  it("validates PINs and phones", () => {
    expect(validPin("1234")).toBe(true);
    expect(validPin("123456")).toBe(true);
    expect(validPin("123")).toBe(false);
    expect(validPin("1234567")).toBe(false);
    expect(validPin("12a4")).toBe(false);
    expect(validPhone("")).toBe(true);
    expect(validPhone("+91 98765-43210")).toBe(true);
    expect(validPhone("12345")).toBe(false);
    expect(validPhone("98765abcde")).toBe(false);
  });
  it("filters names ignoring case and spaces", () => {
    expect(matchesName({ name: "Sunita  Devi" }, "sunita d")).toBe(true);
    expect(matchesName({ name: "Ram", register_id: "R-17" }, "r-17")).toBe(true);
    expect(matchesName({ name: "Ram" }, "")).toBe(true);
    expect(matchesName({ name: "सुनीता" }, "सुनी")).toBe(true);
    expect(matchesName({ name: "Ram" }, "sita")).toBe(false);
  });
  it("grows a long list by pages", () => {
    expect(grow(0, 2000)).toBe(60);
    expect(grow(60, 2000)).toBe(120);
    expect(grow(1980, 2000)).toBe(2000);
    expect(grow(0, 10)).toBe(10);
  });
  it("formats percents and bars, flags clock skew", () => {
    expect(pct(12.345)).toBe("12.3%");
    expect(pct(null)).toBe("—");
    expect(barWidth(150)).toBe(100);
    expect(barWidth(-10)).toBe(0);
    expect(barWidth(5, 10)).toBe(50);
    expect(skewFlagged(5 * 60 * 1000)).toBe(false);
    expect(skewFlagged(-5 * 60 * 1000 - 1)).toBe(true);
    expect(skewFlagged(null)).toBe(false);
  });
});

describe("AEFI form and reasons", () => {
  it("a danger sign makes the report serious; the lower choices are not allowed", () => {
    expect(minimumSeverity(["fever", "rash"])).toBe("minor");
    for (const s of ["seizure", "unconscious", "breathing_difficulty", "anaphylaxis"]) {
      expect(minimumSeverity(["fever", s]), s).toBe("serious");
      expect(severityAllowed("minor", [s])).toBe(false);
      expect(severityAllowed("severe", [s])).toBe(false);
      expect(severityAllowed("serious", [s])).toBe(true);
    }
    expect(severityAllowed("minor", ["fever"])).toBe(true);
    expect(needsReferral("severe") && needsReferral("serious") && !needsReferral("minor")).toBe(true);
    expect(knownSigns(["fever", "crying", "seizure"])).toEqual(["fever", "seizure"]);
  });
  it("the onset is a local date and time, read back the same", () => {
    expect(parseTime("9:05")).toEqual([9, 5]);
    expect(parseTime("24:00")).toBeNull();
    expect(parseTime("0930")).toEqual([9, 30]);
    expect(parseTime("930")).toEqual([9, 30]);
    expect(parseTime("2400")).toBeNull();
    expect(parseTime("0960")).toBeNull();
    const at = onsetInstant("2026-03-10", "09:30")!;
    expect(at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(onsetParts(at)).toEqual({ date: "2026-03-10", time: "09:30" });
    expect(onsetInstant("2026-03-10", "nine")).toBeNull();
    expect(onsetParts("nonsense")).toBeNull();
  });
  it("reasons offered by kind: no 'child is sick' for a pregnant woman; other needs a note", () => {
    const offered = ["CHILD_SICK", "NOT_AT_HOME", "OTHER"] as const;
    expect(reasonsFor("pregnant_woman", [...offered])).toEqual(["NOT_AT_HOME", "OTHER"]);
    expect(reasonsFor("child", [...offered])).toEqual([...offered]);
    expect(needsNote("OTHER")).toBe(true);
    expect(needsNote("REFUSED_OTHER")).toBe(true);
  });
});

describe("throttle", () => {
  it("calls at most once per window", () => {
    let now = 0;
    const f = vi.fn();
    const g = throttle(f, 30000, () => now);
    g(); g();
    expect(f).toHaveBeenCalledTimes(1);
    now = 29999; g();
    expect(f).toHaveBeenCalledTimes(1);
    now = 30000; g();
    expect(f).toHaveBeenCalledTimes(2);
  });
});


describe("plural forms", () => {
  it("uses the .one form for exactly one", () => {
    setLang("en");
    expect(tr("survey.members_n", { n: 1 })).toBe("1 member");
    expect(tr("survey.members_n", { n: 2 })).toBe("2 members");
    expect(tr("survey.members_n", { n: 0 })).toBe("0 members");
  });
});
