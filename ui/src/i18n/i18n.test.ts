import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { LANGUAGES, errorText, setLanguage, t, doseName, warningText } from "./index";
import { en } from "./en";
import {
  ANTIGENS, CLASSIFICATIONS, DOSE_CODES, ERROR_CODES, REASONS, RISK_CATEGORIES, ROLES, SEVERITIES, CARD_GROUPS,
  WARNING_CODES, STATUSES, DELIVERY_OUTCOMES,
} from "../lib/codes";
import { AEFI_SIGNS } from "../lib/aefi";

const docs = resolve(__dirname, "../../../docs");
const read = (f: string) => readFileSync(resolve(docs, f), "utf8");

describe("language files", () => {
  const keys = Object.keys(en).sort();
  for (const l of LANGUAGES) {
    it(`${l.code} has exactly the keys of en, none empty`, () => {
      expect(Object.keys(l.dict).sort()).toEqual(keys);
      for (const [k, v] of Object.entries(l.dict)) {
        expect(typeof v, k).toBe("string");
        expect(v.trim().length, k).toBeGreaterThan(0);
      }
    });
    it(`${l.code} keeps the {parameters} of en`, () => {
      for (const k of keys) {
        const ps = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
        expect(ps((l.dict as Record<string, string>)[k]), `${l.code} ${k}`).toEqual(ps((en as Record<string, string>)[k]));
      }
    });
  }

  it("Hindi really is translated (not English copied)", () => {
    const hi = LANGUAGES.find((l) => l.code === "hi")!.dict as Record<string, string>;
    const copied = Object.keys(en).filter((k) => /[a-z]{3}/.test(hi[k]) && hi[k] === (en as Record<string, string>)[k]);
    expect(copied).toEqual([]);
  });
});

describe("every code of the contract has a translation", () => {
  const need = (prefix: string, codes: readonly string[]) => {
    for (const c of codes) expect(Object.keys(en), `${prefix}${c}`).toContain(prefix + c);
  };
  it("dose codes of docs/formats.md", () => {
    const f = read("formats.md");
    const m = /Dose codes: children `([^`]+)`;\s*pregnant women `([^`]+)`/s.exec(f);
    expect(m).not.toBeNull();
    const raw = (m![1] + " " + m![2]).replace(/\s+/g, " ").split(" ");
    const codes: string[] = [];
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] === "…") {
        const a = /^([A-Z]+)(\d+)$/.exec(raw[i - 1])!, b = /^([A-Z]+)(\d+)$/.exec(raw[i + 1])!;
        for (let n = +a[2] + 1; n < +b[2]; n++) codes.push(a[1] + n);
      } else codes.push(raw[i]);
    }
    expect(new Set(codes)).toEqual(new Set(DOSE_CODES));
    need("dose.", codes);
  });
  it("antigens and risk categories of docs/app-api.md", () => {
    const a = read("app-api.md");
    const am = /`antigen` is one of `([^`]+)`/.exec(a.replace(/\s+/g, " "));
    expect(am).not.toBeNull();
    const antigens = am![1].split(" ");
    expect(new Set(antigens)).toEqual(new Set(ANTIGENS));
    need("antigen.", antigens);
    const risks = [...(/`risk_category` is one of the codes[^(]*\(([^)]*)\)/s.exec(a)![1].matchAll(/`(\w+)`/g))].map((x) => x[1]);
    expect(new Set(risks)).toEqual(new Set(RISK_CATEGORIES));
    need("risk.", risks);
  });
  it("error codes of docs/app-api.md", () => {
    const a = read("app-api.md");
    const table = a.split("## Error codes")[1].split("\n## ")[0];
    const codes = [...table.matchAll(/`([A-Z_]+)`/g)].map((x) => x[1]);
    expect(new Set(codes)).toEqual(new Set(ERROR_CODES));
    need("err.", codes);
    need("err.", codes.map((c) => c + ".do"));
  });
  it("warning codes of docs/app-api.md", () => {
    const a = read("app-api.md");
    const table = a.split("## Warnings")[1].split("## ")[0];
    const codes = [...table.matchAll(/^\| `([A-Z_]+)`/gm)].map((x) => x[1]);
    expect(new Set(codes)).toEqual(new Set(WARNING_CODES));
    need("warn.", codes);
  });
  it("reason codes (docs/cli.md, the codes of the store)", () => {
    const c = read("cli.md");
    const table = c.split("Reasons:")[1].split("Refused as for")[0];
    const codes = [...table.matchAll(/`([A-Z_]+)`/g)].map((x) => x[1]);
    expect(new Set(codes)).toEqual(new Set(REASONS));
    need("reason.", codes);
  });
  it("classifications, severities, roles, card groups, AEFI signs", () => {
    need("class.", CLASSIFICATIONS);
    need("severity.", SEVERITIES);
    need("role.", ROLES);
    need("group.", [...CARD_GROUPS.map((g) => g.key), "other"]);
    need("aefi.sign.", AEFI_SIGNS);
    need("sex.", ["M", "F", "O"]);
    need("status.", [...STATUSES]);
    need("outcome.", [...DELIVERY_OUTCOMES]);
  });
});

describe("t()", () => {
  it("switches language and fills parameters", () => {
    setLanguage("hi");
    expect(doseName("PENTA1")).toBe("पेंटा 1");
    expect(t("class.left_out")).toBe("छूटा हुआ");
    expect(t("ago.min", { n: 5 })).toBe("5 मिनट पहले");
    setLanguage("en");
    expect(doseName("PENTA1")).toBe("Penta 1");
    expect(doseName("NEW9")).toBe("NEW9");
  });
  it("warnings are said in the language, with dose names and DD/MM/YYYY dates", () => {
    const w = { code: "ALREADY_GIVEN", params: { dose: "PENTA1", given_on: "2026-01-02" } };
    expect(warningText(w)).toBe("Penta 1 was already recorded on 02/01/2026. Both are kept; the supervisor will check.");
    setLanguage("hi");
    expect(warningText(w)).toContain("पेंटा 1");
    expect(warningText(w)).toContain("02/01/2026");
    expect(warningText({ code: "NOT_ACTIVE", params: { register_id: "B-1", status: "migrated" } })).not.toMatch(/migrated/);
    setLanguage("en");
    expect(warningText({ code: "EARLY", params: { dose: "MR1", date: "2026-03-01", due_on: null } })).toBe(
      "MR 1 on 01/03/2026 was given before it was due. Saved as given.",
    );
  });
  it("unknown language falls back to English; unknown error code to a generic message", () => {
    expect(setLanguage("xx")).toBe("en");
    expect(errorText("WHATEVER").what).toBe(en["err.UNKNOWN"]);
    expect(errorText("SESSION_CLOSED").todo).toBe(en["err.SESSION_CLOSED.do"]);
  });
});
