import { t, doseName } from "../i18n";
import { groupCard } from "../lib/codes";
import { parseDisplayDate } from "../lib/dates";
import type { DoseCode, DoseInput as DoseEntry, DueDose } from "../bindings";
import { FieldError } from "./ui";
import { isoToDisplay, maskDateInput } from "../lib/dates";

/** Per dose code the core offered: ticked, and the date typed. */
export type CardState = Record<string, { on: boolean; date: string }>;

/** Ticked doses as entries; null with the first problem when a date is missing or wrong. */
export function cardEntries(card: CardState, today: string, minIso?: string): { doses: DoseEntry[]; problem: string | null } {
  const doses: DoseEntry[] = [];
  for (const [code, v] of Object.entries(card)) {
    if (!v.on) continue;
    const p = parseDisplayDate(v.date, { today, minIso });
    if (!p.ok) return { doses: [], problem: p.problem === "empty" ? t("child.dose_date_needed") : `${doseName(code)}: ${t("date.bad." + p.problem)}` };
    // The card's keys are the codes the core offered (`app_state.codes`).
    doses.push({ code: code as DoseCode, date: p.iso });
  }
  return { doses, problem: null };
}

/** The MCP card: doses grouped by age, a tick and a date for each. */
/** `upcoming`: the doses not yet due (the core's), each shown with "due on DD/MM/YYYY". */
export function DoseCard(props: { codes: string[]; card: CardState; onChange: (c: CardState) => void; today: string; exclude?: Set<string>; upcoming?: DueDose[] }) {
  const groups = groupCard(props.codes.filter((c) => !props.exclude?.has(c)));
  const dueOn = new Map((props.upcoming ?? []).map((d) => [d.code as string, d.due_on]));
  const set = (code: string, v: { on: boolean; date: string }) => props.onChange({ ...props.card, [code]: v });
  return (
    <div class="card">
      <p class="muted">{t("child.card_help")}</p>
      {groups.map((g) => (
        <fieldset key={g.key} class="card-group">
          <legend>{t("group." + g.key)}</legend>
          {g.codes.map((code) => {
            const v = props.card[code] ?? { on: false, date: "" };
            const p = v.on && v.date.length >= 10 ? parseDisplayDate(v.date, { today: props.today }) : null;
            return (
              <div key={code} class="card-row">
                <label class="tick">
                  <input type="checkbox" checked={v.on} onChange={(e) => set(code, { ...v, on: e.currentTarget.checked })} data-testid={`card-dose-${code}`} />
                  <span>{doseName(code)}</span>
                </label>
                {!v.on && dueOn.get(code) && (
                  <span class="muted small" data-testid={`card-due-on-${code}`}>
                    {t("member.due_on", { date: isoToDisplay(dueOn.get(code)) })}
                  </span>
                )}
                {v.on && (
                  <input
                    type="text"
                    inputMode="numeric"
                    class="date-small"
                    placeholder={t("date.hint")}
                    aria-label={`${doseName(code)} ${t("date.hint")}`}
                    maxLength={10}
                    value={v.date}
                    data-testid={`card-date-${code}`}
                    onInput={(e) => {
                      const d = maskDateInput(e.currentTarget.value, v.date);
                      e.currentTarget.value = d;
                      set(code, { on: true, date: d });
                    }}
                  />
                )}
                {p && !p.ok && <FieldError text={t("date.bad." + p.problem)} />}
              </div>
            );
          })}
        </fieldset>
      ))}
    </div>
  );
}
