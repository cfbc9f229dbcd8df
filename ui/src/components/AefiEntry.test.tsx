// The child's card shows its AEFI history: when, how bad, the signs and what was seen, after
// which doses, when it began and where it was referred, in the worker's language.
import { afterEach, describe, expect, it } from "vitest";
import { render } from "preact";
import { setLanguage } from "../i18n";
import { onsetInstant } from "../lib/aefi";
import { AefiEntry } from "./AefiEntry";
import type { AefiRecord } from "../bindings";

const base: AefiRecord = {
  id: "a1", date: "2026-11-22", severity: "serious", observed: "fits at home", codes: ["PENTA2"], session_id: "s1",
  signs: ["fever", "seizure"], onset: onsetInstant("2026-11-22", "09:30"), referral: "chc",
};

function shown(a: AefiRecord): HTMLElement {
  const root = document.createElement("ul");
  document.body.appendChild(root);
  render(<AefiEntry a={a} />, root);
  return root.querySelector<HTMLElement>('[data-testid="aefi-record"]')!;
}

afterEach(() => {
  document.body.innerHTML = "";
  setLanguage("en");
});

describe("AEFI history on the child's card", () => {
  it("says the signs, what was seen, the doses, the onset and the referral", () => {
    const li = shown(base);
    expect(li.dataset.severity).toBe("serious");
    expect(li.textContent).toContain("22/11/2026 · Serious · Fever, Seizure (fits), fits at home · Penta 2");
    expect(li.querySelector('[data-testid="aefi-record-care"]')!.textContent).toBe("Started 22/11/2026 09:30 · Referred to: CHC (community health centre)");
  });
  it("an older report without signs, onset or referral shows what it has", () => {
    const li = shown({ ...base, severity: "minor", signs: [], onset: null, referral: null, observed: "fever" });
    expect(li.textContent).toBe("22/11/2026 · Minor · fever · Penta 2");
    expect(li.querySelector('[data-testid="aefi-record-care"]')).toBeNull();
  });
  it("in Hindi, with no English words", () => {
    setLanguage("hi");
    const li = shown({ ...base, observed: "" });
    expect(li.textContent).not.toMatch(/[a-z]{3}/);
    expect(li.textContent).toContain("अति गंभीर");
  });
});
