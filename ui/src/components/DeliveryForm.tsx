// A pregnant woman's delivery (issue 9, item 11): the date (not in the future, not before her
// LMP), what happened, and for each baby born alive a name (prefilled "Baby of <mother>") and a
// sex. One command, `record_delivery`: the household then lists each newborn with the birth
// doses due from that date.
import { useState } from "preact/hooks";
import { api, toApiError, type ApiError } from "../api";
import type { DeliveryDone, DeliveryOutcome, Sex } from "../bindings";
import { DELIVERY_OUTCOMES } from "../lib/codes";
import { doseName, t } from "../i18n";
import { isoToDisplay, parseDisplayDate } from "../lib/dates";
import { DateField, dateProblem, ErrorBox, FieldError, Sheet, Stepper, TextField } from "./ui";

const MAX_BABIES = 6;

/** Whether babies born alive may be listed with this outcome (the domain's rule, for the form). */
const mayHaveBabies = (o: DeliveryOutcome | null) => o === "live_birth" || o === "maternal_death";

interface Baby {
  name: string;
  sex: Sex | null;
}

/** The sex of a person as a chip: never for a pregnant woman (her kind says it). */
export function sexLabel(kind: string, sex: Sex | null | undefined): string | null {
  if (kind === "pregnant_woman" || !sex) return null;
  return t("sex." + sex);
}

/** The line a card shows for a recorded delivery. */
export function deliveryLine(d: { date: string; outcome: DeliveryOutcome }): string {
  return t("delivery.done", { date: isoToDisplay(d.date), outcome: t("outcome." + d.outcome) });
}

export function DeliveryForm(props: {
  registerId: string;
  mother: string;
  lmp: string | null;
  today: string;
  onClose: () => void;
  onDone: (r: DeliveryDone) => void;
}) {
  const babyOf = t("delivery.baby_of", { name: props.mother });
  const [date, setDate] = useState("");
  const [outcome, setOutcome] = useState<DeliveryOutcome | null>(null);
  const [babies, setBabies] = useState<Baby[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [tried, setTried] = useState(false);

  const choose = (o: DeliveryOutcome) => {
    setOutcome(o);
    setProblem(null);
    if (o === "live_birth" && babies.length === 0) setBabies([{ name: babyOf, sex: null }]);
    if (!mayHaveBabies(o)) setBabies([]);
  };
  const setCount = (n: number) => {
    const min = outcome === "live_birth" ? 1 : 0;
    const count = Math.max(min, Math.min(MAX_BABIES, n));
    setBabies((bs) => Array.from({ length: count }, (_, i) => bs[i] ?? { name: count > 1 ? `${babyOf} ${i + 1}` : babyOf, sex: null }));
  };
  const setBaby = (i: number, b: Partial<Baby>) => setBabies((bs) => bs.map((x, j) => (j === i ? { ...x, ...b } : x)));

  const parsed = parseDisplayDate(date, { today: props.today });
  const lmpErr = parsed.ok && props.lmp && parsed.iso < props.lmp ? t("delivery.before_lmp", { date: isoToDisplay(props.lmp) }) : null;
  // Beside the field: before her LMP, or (once saving was tried) what is wrong with the date.
  const dateErr = lmpErr ?? (tried ? dateProblem(parsed) : null);

  const save = async () => {
    setErr(null);
    setTried(true);
    if (!parsed.ok || lmpErr) return;
    if (!outcome) return setProblem(t("delivery.outcome"));
    if (outcome === "live_birth" && babies.length === 0) return setProblem(t("delivery.need_baby"));
    if (babies.some((b) => !b.name.trim())) return setProblem(t("delivery.need_name"));
    if (babies.some((b) => !b.sex)) return setProblem(t("delivery.need_sex"));
    setProblem(null);
    setBusy(true);
    try {
      const r = await api.recordDelivery({
        register_id: props.registerId,
        date: parsed.iso,
        outcome,
        newborns: babies.map((b) => ({ name: b.name.trim(), sex: b.sex as Sex })),
      });
      props.onDone(r);
    } catch (e) {
      setErr(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Sheet title={t("delivery.record")} onClose={props.onClose} testid="delivery-form" dirty={!!date.trim() || outcome !== null}>
      <form class="form" onSubmit={(e) => (e.preventDefault(), save())}>
        <DateField label={t("delivery.date")} value={date} onInput={(v) => (setDate(v), setProblem(null))} testid="delivery-date" today={props.today} error={dateErr} />
        <fieldset class="field">
          <legend class="label">{t("delivery.outcome")}</legend>
          <div class="choice-row">
            {DELIVERY_OUTCOMES.map((o) => (
              <button type="button" key={o} class={`choice ${outcome === o ? "on" : ""}`} aria-pressed={outcome === o} onClick={() => choose(o)} data-testid={`delivery-outcome-${o}`}>
                {t("outcome." + o)}
              </button>
            ))}
          </div>
        </fieldset>
        {mayHaveBabies(outcome) && (
          <>
            <Stepper label={t("delivery.babies")} value={babies.length} onChange={setCount} testid="delivery-babies" />
            {babies.map((b, i) => (
              <div class="baby" key={i} data-testid="delivery-baby">
                <TextField label={t("delivery.baby_name", { n: i + 1 })} value={b.name} onInput={(v) => setBaby(i, { name: v })} testid={`delivery-baby-name-${i}`} />
                <fieldset class="field">
                  <legend class="label">{t("delivery.baby_sex", { n: i + 1 })}</legend>
                  <div class="choice-row">
                    {(["M", "F", "O"] as Sex[]).map((s) => (
                      <button type="button" key={s} class={`choice ${b.sex === s ? "on" : ""}`} aria-pressed={b.sex === s} onClick={() => setBaby(i, { sex: s })} data-testid={`delivery-baby-sex-${i}-${s}`}>
                        {t("sex." + s)}
                      </button>
                    ))}
                  </div>
                </fieldset>
              </div>
            ))}
          </>
        )}
        <FieldError text={problem} />
        <ErrorBox error={err} />
        <button type="submit" class="btn primary wide" disabled={busy} data-testid="delivery-save">
          {t("delivery.save")}
        </button>
      </form>
    </Sheet>
  );
}

/** What the card says after a delivery: the newborns added and their doses due now. */
export function deliveryAdded(r: DeliveryDone): string | null {
  if (!r.newborns.length) return null;
  const codes = [...new Set(r.newborns.flatMap((n) => n.due.map((d) => d.code)))];
  return t("delivery.babies_added", { names: r.newborns.map((n) => n.name).join(", "), doses: codes.map(doseName).join(", ") });
}
