// The forms that add to the register: a household, a child, a pregnant woman. Used by the survey
// (ui/src/screens/Survey.tsx) and by a session's walk-in (ui/src/screens/Session.tsx).
import { useState } from "preact/hooks";
import { api, toApiError, type ApiError } from "../api";
import type { Found, Household, Member, RiskCategory, Sex, Village } from "../bindings";
import { useApp } from "../context";
import { riskName, t } from "../i18n";
import { RISK_CATEGORIES } from "../lib/codes";
import { isoToDisplay, parseDisplayDate } from "../lib/dates";
import { validPhone } from "../lib/text";
import { DateField, dateProblem, ErrorBox, FieldError, Sheet, TextField } from "./ui";
import { cardEntries, DoseCard, type CardState } from "./DoseCard";

export function HouseholdForm({ village, household, onDone, onClose }: { village: Pick<Village, "id">; household?: Household; onDone: (h: Household) => void; onClose: () => void }) {
  const [no, setNo] = useState(household?.house_no ?? "");
  const [head, setHead] = useState(household?.head_of_household ?? "");
  const [phone, setPhone] = useState(household?.phone ?? "");
  const [risk, setRisk] = useState<RiskCategory | "">(household?.risk_category ?? "");
  const [err, setErr] = useState<ApiError | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const save = async () => {
    if (!head.trim() && !no.trim()) return setProblem(t("common.required"));
    if (!validPhone(phone)) return setProblem(t("survey.phone_bad"));
    setProblem(null);
    try {
      onDone(
        await api.saveHousehold({
          ...(household ? { id: household.id } : {}),
          village_id: village.id,
          house_no: no.trim(),
          head_of_household: head.trim(),
          phone: phone.trim(),
          risk_category: risk || null,
        }),
      );
    } catch (e) {
      setErr(toApiError(e));
    }
  };
  return (
    <Sheet title={household ? t("survey.edit_household") : t("survey.add_household")} onClose={onClose}>
      <form class="form" onSubmit={(e) => (e.preventDefault(), save())}>
        <TextField label={t("survey.house_no")} value={no} onInput={setNo} testid="hh-house-no" />
        <TextField label={t("survey.head")} value={head} onInput={setHead} testid="hh-head" />
        <TextField label={`${t("survey.phone")} ${t("common.optional")}`} value={phone} onInput={setPhone} testid="hh-phone" type="tel" inputMode="tel" />
        <label class="field">
          <span class="label">{t("survey.risk")}</span>
          <select value={risk} onChange={(e) => setRisk(e.currentTarget.value as RiskCategory | "")} data-testid="hh-risk">
            <option value="">{riskName(null)}</option>
            {RISK_CATEGORIES.map((r) => (
              <option key={r} value={r}>
                {riskName(r)}
              </option>
            ))}
          </select>
        </label>
        <FieldError text={problem} />
        <ErrorBox error={err} />
        <button type="submit" class="btn primary wide" data-testid="hh-save">
          {t("common.save")}
        </button>
      </form>
    </Sheet>
  );
}

export function ChildForm({ household, onClose, onSaved, onOpen }: { household: Household; onClose: () => void; onSaved: (m: Member) => void; onOpen: (register_id: string) => void }) {
  const { app, today } = useApp();
  const [name, setName] = useState("");
  const [sex, setSex] = useState<Sex | null>(null);
  const [dob, setDob] = useState("");
  const [age, setAge] = useState("");
  const [mother, setMother] = useState("");
  const [card, setCard] = useState<CardState>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  const [similar, setSimilar] = useState<Found[] | null>(null);
  const [busy, setBusy] = useState(false);

  const validate = () => {
    if (!name.trim() || !sex) return { problem: t("common.required") };
    let dobIso: string | undefined, ageMonths: number | undefined;
    if (dob.trim()) {
      const p = parseDisplayDate(dob, { today });
      if (!p.ok) return { problem: `${t("child.dob")}: ${dateProblem(p)}` };
      dobIso = p.iso;
    } else if (age.trim()) {
      const n = Number(age);
      if (!Number.isInteger(n) || n < 0 || n > 72) return { problem: t("child.age_bad") };
      ageMonths = n;
    } else return { problem: t("child.dob_or_age") };
    const c = cardEntries(card, today, dobIso);
    if (c.problem) return { problem: c.problem };
    return { problem: null, dobIso, ageMonths, doses: c.doses };
  };

  const save = async (force: boolean) => {
    const v = validate();
    setProblem(v.problem);
    if (v.problem) return;
    setErr(null);
    setBusy(true);
    try {
      if (!force) {
        const s = await api.similarChildren(household.village_id, name.trim(), v.dobIso);
        if (s.length) {
          setSimilar(s);
          return;
        }
      }
      const m = await api.addChild({
        household_id: household.id,
        name: name.trim(),
        sex: sex!,
        ...(v.dobIso ? { dob: v.dobIso } : { age_months: v.ageMonths }),
        ...(mother.trim() ? { mother_name: mother.trim() } : {}),
        doses: v.doses!,
      });
      onSaved(m);
    } catch (e) {
      setErr(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Sheet title={t("survey.add_child")} onClose={onClose}>
      <form class="form" onSubmit={(e) => (e.preventDefault(), save(false))}>
        <TextField label={t("child.name")} value={name} onInput={setName} testid="child-name" />
        <fieldset class="field">
          <legend class="label">{t("child.sex")}</legend>
          <div class="choice-row">
            {(["M", "F", "O"] as Sex[]).map((s) => (
              <button type="button" key={s} class={`choice ${sex === s ? "on" : ""}`} aria-pressed={sex === s} onClick={() => setSex(s)} data-testid={`child-sex-${s}`}>
                {t("sex." + s)}
              </button>
            ))}
          </div>
        </fieldset>
        <DateField label={t("child.dob")} value={dob} onInput={setDob} testid="child-dob" today={today} optional />
        <TextField label={t("child.age_months")} value={age} onInput={(v) => setAge(v.replace(/\D/g, "").slice(0, 2))} testid="child-age-months" inputMode="numeric" maxLength={2} />
        <TextField label={`${t("child.mother")} ${t("common.optional")}`} value={mother} onInput={setMother} testid="child-mother" />
        <h3>{t("child.card")}</h3>
        <DoseCard codes={app.codes.child} card={card} onChange={setCard} today={today} />
        <FieldError text={problem} />
        <ErrorBox error={err} />
        <button type="submit" class="btn primary wide" disabled={busy} data-testid="child-save">
          {t("child.save")}
        </button>
      </form>
      {similar && (
        <div class="similar" data-testid="similar-warning" role="alertdialog">
          <h3>{t("similar.title")}</h3>
          <p>{t("similar.help")}</p>
          <ul class="list">
            {similar.map((s) => (
              <li key={s.register_id}>
                <button class="row-btn" onClick={() => onOpen(s.register_id)} data-testid="similar-open" data-register-id={s.register_id}>
                  <span class="row-title">{s.name}</span>
                  <span class="row-sub">
                    {s.dob ? t("member.dob", { date: isoToDisplay(s.dob) }) : ""} · {s.mother_name ? t("member.mother", { name: s.mother_name }) : ""} · {t("sup.house", { no: s.house_no ?? "—" })}
                  </span>
                  <span class="link">{t("similar.open")}</span>
                </button>
              </li>
            ))}
          </ul>
          <div class="actions">
            <button class="btn" onClick={() => setSimilar(null)} data-testid="similar-cancel">
              {t("common.back")}
            </button>
            <button class="btn primary" onClick={() => (setSimilar(null), save(true))} data-testid="save-anyway">
              {t("similar.save_anyway")}
            </button>
          </div>
        </div>
      )}
    </Sheet>
  );
}

export function WomanForm({ household, onClose, onSaved }: { household: Household; onClose: () => void; onSaved: (m: Member) => void }) {
  const { app, today } = useApp();
  const [name, setName] = useState("");
  const [lmp, setLmp] = useState("");
  const [edd, setEdd] = useState("");
  const [card, setCard] = useState<CardState>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async () => {
    if (!name.trim()) return setProblem(t("common.required"));
    let date: { lmp?: string; edd?: string };
    if (lmp.trim()) {
      const p = parseDisplayDate(lmp, { today });
      if (!p.ok) return setProblem(`${t("woman.lmp")}: ${dateProblem(p)}`);
      date = { lmp: p.iso };
    } else if (edd.trim()) {
      const p = parseDisplayDate(edd, { today, allowFuture: true });
      if (!p.ok) return setProblem(`${t("woman.edd")}: ${dateProblem(p)}`);
      date = { edd: p.iso };
    } else return setProblem(t("woman.lmp_or_edd"));
    const c = cardEntries(card, today);
    if (c.problem) return setProblem(c.problem);
    setProblem(null);
    setBusy(true);
    try {
      onSaved(await api.addPregnantWoman({ household_id: household.id, name: name.trim(), ...date, doses: c.doses }));
    } catch (e) {
      setErr(toApiError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Sheet title={t("survey.add_woman")} onClose={onClose}>
      <form class="form" onSubmit={(e) => (e.preventDefault(), save())}>
        <TextField label={t("woman.name")} value={name} onInput={setName} testid="woman-name" />
        <DateField label={t("woman.lmp")} value={lmp} onInput={setLmp} testid="woman-lmp" today={today} optional />
        <DateField label={t("woman.edd")} value={edd} onInput={setEdd} testid="woman-edd" today={today} allowFuture optional />
        <h3>{t("child.card")}</h3>
        <DoseCard codes={app.codes.pregnant_woman} card={card} onChange={setCard} today={today} />
        <FieldError text={problem} />
        <ErrorBox error={err} />
        <button type="submit" class="btn primary wide" disabled={busy} data-testid="woman-save">
          {t("woman.save")}
        </button>
      </form>
    </Sheet>
  );
}
