// The screens in Hindi as a worker reads them (ui/src/i18n/README.md): a girl is बच्ची, a boy
// बच्चा; badges and due chips say the same of both; overdue is "देर हो गई"; a household is घर;
// the session's name filter says it filters; acronyms come with their words.
import { afterEach, describe, expect, it } from "vitest";
import { appState, cleanup, click, mount, q, qa, text, tick } from "../test/harness";

const village = { id: "v1", name: "रामपुर", households: 1, children: 2, pregnant_women: 1, due: 2 };
const household = {
  id: "h1", household_id: "HH-1", village_id: "v1", village: "रामपुर", house_no: "12", head_of_household: "रामदीन",
  phone: null, risk_category: null, resistant: true, members: 3, due: 2,
};
const person = (over: { register_id: string } & Record<string, unknown>) => ({
  id: over.register_id, household_id: "h1", kind: "child", sex: "F", dob: "2026-02-15", lmp: null, edd: null,
  mother_name: "सीता", status: "active", classification: "left_out", fully_immunized: false,
  age: null, pregnancy_weeks: null, mother: null, delivery: null,
  due: [{ code: "PENTA1", status: "overdue", due_on: "2026-03-29", last_on: null }, { code: "BCG", status: "due", due_on: null, last_on: null }],
  ...over,
});
const girl = person({ register_id: "C-1", name: "प्रिया", sex: "F" });
const boy = person({ register_id: "C-2", name: "मोनू", sex: "M", classification: "drop_out" });
const woman = person({ register_id: "W-1", name: "रीना", kind: "pregnant_woman", sex: "F", dob: null, edd: "2027-03-01", classification: "up_to_date", due: [] });

function core(cmd: string, req: Record<string, unknown> | undefined): unknown {
  switch (cmd) {
    case "app_state": return appState("asha", { language: "hi" });
    case "villages": return [village];
    case "sessions": return [];
    case "households": return [household];
    case "members": return [girl, boy, woman];
    case "beneficiary": {
      const p = [girl, boy, woman].find((x) => x.register_id === req!.register_id)!;
      return { ...p, village_id: "v1", village: "रामपुर", house_no: "12", head_of_household: "रामदीन", phone: null, upcoming: [], doses: [], not_given: [], aefi: [{ id: "a1", date: "2026-11-01", severity: "minor", observed: "बुखार", codes: ["PENTA1"], session_id: null, signs: [], onset: null, referral: null }] };
    }
    case "open_session": return { id: "s1", site_id: "v1", site: "रामपुर", date: "2026-11-22", closed: false, vials: [] };
    // A session item carries the sex when the register knows it.
    case "session_due": return [
      { register_id: "C-1", name: "प्रिया", kind: "child", sex: "F", household_id: "HH-1", village: "रामपुर", classification: "left_out", fully_immunized: false, doses: girl.due, age: null, pregnancy_weeks: null, edd: null },
      { register_id: "C-9", name: "गुड्डू", kind: "child", sex: null, household_id: "HH-1", village: "रामपुर", classification: "left_out", fully_immunized: false, doses: girl.due, age: null, pregnancy_weeks: null, edd: null },
    ];
    case "session_tally": return { session_id: "s1", by_antigen: [], by_dose: [], not_given: [], aefi: { minor: 0, severe: 0, serious: 0 }, beneficiaries: 0, children: 0, pregnant_women: 0 };
    default: return null;
  }
}

const row = (rid: string) => qa("member").find((e) => e.dataset.registerId === rid)!;

afterEach(cleanup);

describe("Hindi", () => {
  it("a girl's row and card say बच्ची, a boy's बच्चा; the badges and chips name the vaccines, not the person", async () => {
    await mount(core);
    expect(document.documentElement.lang).toBe("hi");
    expect(text("village")).toContain("2 को टीका लगना है");
    await click("village");
    expect(text("household")).toContain("मना करने वाला घर");
    await click("household");

    const g = row("C-1").textContent!;
    expect(g).toContain("प्रिया · बच्ची");
    expect(g).not.toContain("बच्चा");
    expect(g).toContain("कोई टीका नहीं");
    expect(g).toContain("पेंटा 1 · देर हो गई");
    expect(row("C-2").textContent).toContain("मोनू · बच्चा");
    expect(row("C-2").textContent).toContain("टीके छूटे");
    const w = row("W-1").textContent!;
    expect(w).toContain("रीना · गर्भवती महिला");
    // No acronym in a row: the words themselves.
    expect(w).toContain("डिलीवरी की संभावित तारीख़ 01/03/2027");
    expect(w).not.toMatch(/ईडीडी|EDD/);

    await click(row("C-1").querySelector<HTMLElement>("[data-testid=member-open]")!);
    const d = text("member-detail");
    expect(d).toContain("बच्ची · लड़की");
    expect(d).toContain("अभी लगने वाले टीके");
    expect(d).toContain("टीके के बाद कोई परेशानी (एईएफआई)");
  });

  it("the add-child and add-woman forms explain MCP, LMP and EDD where they first show them", async () => {
    await mount(core);
    await click("village");
    await click("household");
    await click("add-child");
    expect(document.body.textContent).toContain("माँ-बच्चा सुरक्षा कार्ड (एमसीपी)");
    await click("sheet-close");
    await click("add-woman");
    expect(document.body.textContent).toContain("आखिरी माहवारी की तारीख़ (एलएमपी)");
    expect(document.body.textContent).toContain("डिलीवरी की संभावित तारीख़ (ईडीडी)");
  });

  it("the session: a girl is बच्ची, a child of unknown sex बच्चा/बच्ची, the name filter says it filters, AEFI has its words", async () => {
    await mount(core);
    await click("tab-session");
    await click("session-open");
    await tick();
    const [item, unknown] = qa("session-item").map((e) => e.textContent!);
    expect(item).toContain("प्रिया · बच्ची");
    expect(item).not.toContain("बच्चा");
    expect(unknown).toContain("गुड्डू · बच्चा/बच्ची");
    expect(item).toContain("पेंटा 1 · देर हो गई");
    expect(text("aefi")).toBe("परेशानी (एईएफआई)");
    const filter = q("session-filter") as HTMLInputElement;
    expect(filter.placeholder).toContain("सिर्फ़");
    expect(filter.placeholder).not.toMatch(/छाँट|छांट/);
  });
});
