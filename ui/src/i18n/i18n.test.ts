import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { LANGUAGES, errorText, setLanguage, t, doseName, kindName, warningText } from "./index";
import { en } from "./en";
import { hi } from "./hi";
import {
  ANTIGENS, CLASSIFICATIONS, DOSE_ANTIGENS, DOSE_CODES, ERROR_CODES, REASONS, RISK_CATEGORIES, ROLES, SEVERITIES, CARD_GROUPS,
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
    expect(t("class.left_out")).toBe("कोई टीका नहीं");
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

// The rules of ui/src/i18n/README.md that a machine can check. A new Hindi string that breaks
// one fails here: fix the string (or, for a deliberate new choice, the README and this test).
describe("Hindi: the choices of README.md", () => {
  const H = hi as Record<string, string>;
  const entries = Object.entries(H);
  const having = (re: RegExp) => entries.filter(([, v]) => re.test(v)).map(([k]) => k);

  it("no bureaucratic 'देय'/'अतिदेय': due is 'लगना है', overdue is 'देर हो गई'", () => {
    expect(having(/देय/)).toEqual([]);
    for (const k of ["due.overdue", "session.overdue"]) expect(H[k], k).toBe("देर हो गई");
    for (const k of ["due.due", "due.on", "survey.due_n", "member.nothing_due"]) expect(H[k], k).toMatch(/लगना है/);
    expect(H["member.due"]).toMatch(/लगने वाले/);
  });

  it("a filter says it filters ('सिर्फ़ … दिखेंगे'), never 'छाँटें' (sort/pick)", () => {
    expect(having(/छाँट|छांट/)).toEqual([]);
    const filters = Object.keys(en).filter((k) => /filter/i.test((en as Record<string, string>)[k]));
    expect(filters.length).toBeGreaterThan(0);
    for (const k of filters) expect(H[k], k).toMatch(/सिर्फ़/);
  });

  it("a household is 'घर' (its head 'घर के मुखिया'), never 'परिवार'", () => {
    expect(having(/परिवार/)).toEqual([]);
    const households = Object.keys(en).filter((k) => /household|house\b|house no|famil/i.test((en as Record<string, string>)[k]));
    expect(households.length).toBeGreaterThan(5);
    for (const k of households) expect(H[k], k).toMatch(/घर/);
    expect(H["survey.head"]).toBe("घर के मुखिया");
  });

  it("a girl is बच्ची, a boy बच्चा, a child of unknown sex बच्चा/बच्ची", () => {
    setLanguage("hi");
    expect(kindName("child", "F")).toBe("बच्ची");
    expect(kindName("child", "M")).toBe("बच्चा");
    expect(kindName("child", null)).toBe("बच्चा/बच्ची");
    expect(kindName("child", "O")).toBe("बच्चा/बच्ची");
    expect(kindName("pregnant_woman", "F")).toBe("गर्भवती महिला");
    setLanguage("en");
    expect(kindName("child", "F")).toBe("Child");
    // A string kept for a girl never says बच्चा.
    for (const k of Object.keys(H).filter((k) => k.endsWith(".f"))) expect(H[k], k).not.toMatch(/बच्चा|बच्चे/);
  });

  it("words said of any person do not take a gender (badges, statuses, reasons)", () => {
    const person = Object.keys(H).filter((k) => /^(class|status|reason)\./.test(k) || /^member\.(fic|mark_)/.test(k));
    expect(person.length).toBeGreaterThan(15);
    // Singular participles and adjectives that would agree with a boy or a girl.
    const gendered = /(हुआ|हुई|रहा|रही|गया|गई|गयी|करेगा|करेगी|चाहता|चाहती|छूटा|छूटी|बच्चा|बच्ची|लड़का|लड़की)(\s|$|[।,:])/;
    // Where the verb agrees with a noun the string names (not with the person), that noun.
    const subject: Record<string, string> = { "reason.SESSION_NOT_HELD": "सत्र", "member.mark_died": "मृत्यु" };
    for (const [k, noun] of Object.entries(subject)) expect(H[k], k).toContain(noun);
    expect(person.filter((k) => !subject[k] && gendered.test(H[k])).map((k) => `${k}: ${H[k]}`)).toEqual([]);
  });

  // The one spelling of each vaccine: dose names, antigen (tally, vials) names and every other
  // string start from the same word. Hindi vaccine names are in Devanagari, as on the rest of the screen.
  const STEMS: Record<string, string> = {
    BCG: "बीसीजी", HEPB: "हेपेटाइटिस बी", OPV: "ओपीवी", PENTA: "पेंटा", RVV: "रोटा", FIPV: "एफआईपीवी",
    PCV: "पीसीवी", MR: "एमआर", JE: "जेई", DPT: "डीपीटी", VITA: "विटामिन ए", TD: "टीडी",
  };
  it("every antigen and dose is written with its one spelling", () => {
    expect(new Set(Object.keys(STEMS))).toEqual(new Set(ANTIGENS));
    for (const a of ANTIGENS) expect(H["antigen." + a], a).toMatch(new RegExp("^" + STEMS[a] + "( \\(|$)"));
    for (const c of DOSE_CODES) {
      const a = (DOSE_ANTIGENS as Record<string, string>)[c];
      expect(H["dose." + c], c).toMatch(new RegExp("^" + STEMS[a] + "( |$)"));
    }
    for (const k of Object.keys(H).filter((k) => k.startsWith("sup.d."))) {
      const doses = Object.keys(H).filter((d) => d.startsWith("dose.")).map((d) => H[d]);
      for (const part of H[k].split(" → ")) expect(doses, `${k}: ${part}`).toContain(part);
    }
  });
  it("no other spelling of a vaccine, and no Latin letters, anywhere in Hindi", () => {
    const variants = /पेन्टा|पैंटा|पेंटावैलेंट|पेंटावेलेंट|बी\.सी\.जी|बी सी जी|ओ\.पी\.वी|ओ पी वी|हेप बी|टी\.डी|टीटी|एम\.आर|मीज़ल्स|मीजल्स|रोटावायरस|ड्रॉप्स/;
    expect(having(variants)).toEqual([]);
    expect(entries.filter(([, v]) => /[A-Za-z]/.test(v.replace(/\{\w+\}/g, ""))).map(([k]) => k)).toEqual([]);
  });

  // An acronym is explained where a screen first shows it, in the same string; a string listed
  // here shows it only below that explanation on the same screen.
  const ACRONYMS: Record<string, string> = { "एईएफआई": "परेशानी", "एलएमपी": "माहवारी", "ईडीडी": "डिलीवरी", "एमसीपी": "सुरक्षा कार्ड" };
  const AFTER_EXPLANATION: Record<string, string> = {
    "woman.lmp_or_edd": "woman.lmp", // the add-woman form's error, under the LMP and EDD fields
    "aefi.save": "aefi.title", // the AEFI sheet's button, under its title
    "aefi.saved": "aefi.title",
  };
  it("acronyms (AEFI, LMP, EDD, MCP) are explained on first use", () => {
    for (const [k, v] of entries) {
      for (const [acr, words] of Object.entries(ACRONYMS)) {
        if (!v.includes(acr)) continue;
        const where = AFTER_EXPLANATION[k] ? H[AFTER_EXPLANATION[k]] + " " + H["woman.edd"] : v;
        expect(where.includes(words) || v.includes(words), `${k} shows ${acr} without "${words} (${acr})": ${v}`).toBe(true);
      }
    }
    expect(H["aefi.title"]).toContain("टीके के बाद कोई परेशानी (एईएफआई)");
    expect(H["aefi.button"]).toContain("(एईएफआई)");
    expect(H["woman.lmp"]).toBe("आखिरी माहवारी की तारीख़ (एलएमपी)");
    expect(H["woman.edd"]).toContain("डिलीवरी की संभावित तारीख़ (ईडीडी)");
    expect(H["child.card"]).toContain("माँ-बच्चा सुरक्षा कार्ड (एमसीपी)");
  });

  it("Devanagari is set larger, with open lines, and chips leave room for vowel signs", () => {
    const css = readFileSync(resolve(__dirname, "../styles.css"), "utf8");
    const base = Number(/:root\s*\{[^}]*font-size:\s*([\d.]+)px/.exec(css)![1]);
    const root = /html:lang\(hi\)\s*\{([^}]*)\}/.exec(css);
    expect(root, "an html:lang(hi) rule").not.toBeNull();
    const size = Number(/font-size:\s*([\d.]+)px/.exec(root![1])![1]);
    expect(size / base).toBeGreaterThanOrEqual(1.08);
    expect(size / base).toBeLessThanOrEqual(1.12);
    expect(Number(/line-height:\s*([\d.]+)/.exec(root![1])![1])).toBeGreaterThanOrEqual(1.5);
    const chips = /html:lang\(hi\) \.badge[^{]*\{([^}]*)\}/.exec(css);
    expect(chips, "a Hindi rule for badges").not.toBeNull();
    expect(Number(/line-height:\s*([\d.]+)/.exec(chips![1])![1])).toBeGreaterThanOrEqual(1.5);
    // The rule keys on <html lang>: setLanguage() sets it.
    setLanguage("hi");
    expect(document.documentElement.lang).toBe("hi");
    setLanguage("en");
    expect(document.documentElement.lang).toBe("en");
  });
});
