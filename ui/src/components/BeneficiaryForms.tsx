// The forms that add people to the register: a household, a child (with the similar-child
// warning), a pregnant woman. Used by the survey and by a session's walk-in. Each error sits
// beside its field (useFieldErrors); going back from a half-filled form asks first (Sheet dirty).
import { useState } from "preact/hooks";
import { api, toApiError } from "../api";
import type { Found, Household, Member, RiskCategory, Sex, Village } from "../bindings";
import { useApp } from "../context";
import { riskName, t } from "../i18n";
import { RISK_CATEGORIES } from "../lib/codes";
import { isoToDisplay, parseDisplayDate } from "../lib/dates";
import { validPhone } from "../lib/text";
import { DateField, dateProblem, errorId, ErrorBox, FieldError, Sheet, TextField, useFieldErrors } from "./ui";
import { cardEntries, DoseCard, type CardState } from "./DoseCard";

export function HouseholdForm({ village, household, onDone, onClose, onOpen }: { village: Pick<Village, "id">; household?: Household; onDone: (h: Household) => void; onClose: () => void; onOpen: (h: Household) => void }) {
  const [no, setNo] = useState(household?.house_no ?? "");
  const [head, setHead] = useState(household?.head_of_household ?? "");
  const [phone, setPhone] = useState(household?.phone ?? "");
  const [risk, setRisk] = useState<RiskCategory | "">(household?.risk_category ?? "");
  const [similar, setSimilar] = useState<Household[] | null>(null);
  const [busy, setBusy] = useState(false);
  const fe = useFieldErrors({ house_no: no, head_of_household: head, phone, risk_category: risk }, (f) => {
    if (f === "head_of_household") return !head.trim() && !no.trim() ? t("survey.head_or_house") : null;
    if (f === "phone") return validPhone(phone) ? null : t("survey.phone_bad");
    return null;
  });
  const dirty =
    no !== (household?.house_no ?? "") || head !== (household?.head_of_household ?? "") || phone !== (household?.phone ?? "") || risk !== (household?.risk_category ?? "");
  const save = async (force: boolean) => {
    if (!fe.validate(["head_of_household", "phone"])) return;
    setBusy(true);
    try {
      // A household like one already in the village (same house number or phone) is asked
      // about first, unless its house number and phone are what they were.
      const changed = no.trim() !== (household?.house_no ?? "") || phone.trim() !== (household?.phone ?? "");
      if (!force && changed && (no.trim() || phone.trim())) {
        const found = await api.similarHouseholds(village.id, no.trim(), phone.trim(), household?.id);
        if (found.length) {
          setSimilar(found);
          return;
        }
      }
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
      fe.fail(toApiError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Sheet title={household ? t("survey.edit_household") : t("survey.add_household")} onClose={onClose} dirty={dirty}>
      <form class="form" onSubmit={(e) => (e.preventDefault(), save(false))}>
        <TextField label={t("survey.house_no")} value={no} onInput={setNo} testid="hh-house-no" error={fe.error("house_no")} />
        <TextField label={t("survey.head")} value={head} onInput={setHead} testid="hh-head" error={fe.error("head_of_household")} />
        <TextField label={`${t("survey.phone")} ${t("common.optional")}`} value={phone} onInput={setPhone} testid="hh-phone" type="tel" inputMode="tel" error={fe.error("phone")} />
        <label class="field">
          <span class="label">{t("survey.risk")}</span>
          <select
            value={risk}
            onChange={(e) => setRisk(e.currentTarget.value as RiskCategory | "")}
            data-testid="hh-risk"
            aria-invalid={fe.error("risk_category") ? "true" : "false"}
            aria-describedby={fe.error("risk_category") ? errorId("hh-risk") : undefined}
          >
            <option value="">{riskName(null)}</option>
            {RISK_CATEGORIES.map((r) => (
              <option key={r} value={r}>
                {riskName(r)}
              </option>
            ))}
          </select>
          <FieldError text={fe.error("risk_category")} id={errorId("hh-risk")} field="hh-risk" />
        </label>
        <ErrorBox error={fe.general} />
        <button type="submit" class="btn primary wide" disabled={busy} data-testid="hh-save">
          {t("common.save")}
        </button>
      </form>
      {similar && (
        <div class="similar" data-testid="similar-household-warning" role="alertdialog">
          <h3>{t("similar_hh.title")}</h3>
          <p>{t("similar_hh.help")}</p>
          <ul class="list">
            {similar.map((h) => (
              <li key={h.id}>
                <button class="row-btn" onClick={() => onOpen(h)} data-testid="similar-household-open" data-id={h.id}>
                  <span class="row-title">
                    {h.house_no ? `${h.house_no} · ` : ""}
                    {h.head_of_household ?? "—"}
                  </span>
                  <span class="row-sub">
                    {h.phone ? `${h.phone} · ` : ""}
                    {t("survey.members_n", { n: h.members })}
                  </span>
                  <span class="link">{t("similar_hh.open")}</span>
                </button>
              </li>
            ))}
          </ul>
          <div class="actions">
            <button class="btn" onClick={() => setSimilar(null)} data-testid="similar-household-cancel">
              {t("common.back")}
            </button>
            <button class="btn primary" onClick={() => (setSimilar(null), save(true))} data-testid="similar-household-save">
              {t("similar.save_anyway")}
            </button>
          </div>
        </div>
      )}
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
  const [similar, setSimilar] = useState<Found[] | null>(null);
  const [busy, setBusy] = useState(false);
  const fe = useFieldErrors({ name, sex, dob, age_months: age, mother_name: mother }, (f) => {
    if (f === "name") return name.trim() ? null : t("common.required");
    if (f === "sex") return sex ? null : t("common.required");
    if (f === "dob") {
      if (dob.trim()) return dateProblem(parseDisplayDate(dob, { today }));
      return age.trim() ? null : t("child.dob_or_age");
    }
    if (f === "age_months" && !dob.trim() && age.trim()) {
      const n = Number(age);
      return Number.isInteger(n) && n >= 0 && n <= 72 ? null : t("child.age_bad");
    }
    return null;
  });
  const dirty = !!(name.trim() || sex || dob.trim() || age.trim() || mother.trim() || Object.values(card).some((c) => c.on));

  const validate = () => {
    if (!fe.validate(["name", "sex", "dob", "age_months"])) return { problem: "" };
    let dobIso: string | undefined, ageMonths: number | undefined;
    if (dob.trim()) {
      const p = parseDisplayDate(dob, { today });
      if (p.ok) dobIso = p.iso;
    } else ageMonths = Number(age);
    const c = cardEntries(card, today, dobIso);
    if (c.problem) return { problem: c.problem };
    return { problem: null, dobIso, ageMonths, doses: c.doses };
  };

  const save = async (force: boolean) => {
    const v = validate();
    setProblem(v.problem || null);
    if (v.problem !== null) return;
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
      fe.fail(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Sheet title={t("survey.add_child")} onClose={onClose} dirty={dirty}>
      <form class="form" onSubmit={(e) => (e.preventDefault(), save(false))}>
        <TextField label={t("child.name")} value={name} onInput={setName} testid="child-name" error={fe.error("name")} />
        <fieldset class="field" aria-invalid={fe.error("sex") ? "true" : "false"} aria-describedby={fe.error("sex") ? errorId("child-sex") : undefined}>
          <legend class="label">{t("child.sex")}</legend>
          <div class="choice-row">
            {(["M", "F", "O"] as Sex[]).map((s) => (
              <button type="button" key={s} class={`choice ${sex === s ? "on" : ""}`} aria-pressed={sex === s} onClick={() => setSex(s)} data-testid={`child-sex-${s}`}>
                {t("sex." + s)}
              </button>
            ))}
          </div>
          <FieldError text={fe.error("sex")} id={errorId("child-sex")} field="child-sex" />
        </fieldset>
        <DateField label={t("child.dob")} value={dob} onInput={setDob} testid="child-dob" today={today} optional error={fe.error("dob")} />
        <TextField label={t("child.age_months")} value={age} onInput={(v) => setAge(v.replace(/\D/g, "").slice(0, 2))} testid="child-age-months" inputMode="numeric" maxLength={2} error={fe.error("age_months")} />
        <TextField label={`${t("child.mother")} ${t("common.optional")}`} value={mother} onInput={setMother} testid="child-mother" error={fe.error("mother_name")} />
        <h3>{t("child.card")}</h3>
        <DoseCard codes={app.codes.child} card={card} onChange={setCard} today={today} />
        <FieldError text={problem} />
        <ErrorBox error={fe.general} />
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
  const [busy, setBusy] = useState(false);
  const fe = useFieldErrors({ name, lmp, edd }, (f) => {
    if (f === "name") return name.trim() ? null : t("common.required");
    if (f === "lmp") {
      if (lmp.trim()) return dateProblem(parseDisplayDate(lmp, { today }));
      return edd.trim() ? null : t("woman.lmp_or_edd");
    }
    if (f === "edd" && !lmp.trim() && edd.trim()) return dateProblem(parseDisplayDate(edd, { today, allowFuture: true }));
    return null;
  });
  const dirty = !!(name.trim() || lmp.trim() || edd.trim() || Object.values(card).some((c) => c.on));
  const save = async () => {
    if (!fe.validate(["name", "lmp", "edd"])) return setProblem(null);
    let date: { lmp?: string; edd?: string } = {};
    const p = lmp.trim() ? parseDisplayDate(lmp, { today }) : parseDisplayDate(edd, { today, allowFuture: true });
    if (p.ok) date = lmp.trim() ? { lmp: p.iso } : { edd: p.iso };
    const c = cardEntries(card, today);
    setProblem(c.problem);
    if (c.problem) return;
    setBusy(true);
    try {
      onSaved(await api.addPregnantWoman({ household_id: household.id, name: name.trim(), ...date, doses: c.doses }));
    } catch (e) {
      fe.fail(toApiError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Sheet title={t("survey.add_woman")} onClose={onClose} dirty={dirty}>
      <form class="form" onSubmit={(e) => (e.preventDefault(), save())}>
        <TextField label={t("woman.name")} value={name} onInput={setName} testid="woman-name" error={fe.error("name")} />
        <DateField label={t("woman.lmp")} value={lmp} onInput={setLmp} testid="woman-lmp" today={today} optional error={fe.error("lmp")} />
        <DateField label={t("woman.edd")} value={edd} onInput={setEdd} testid="woman-edd" today={today} allowFuture optional error={fe.error("edd")} />
        <h3>{t("child.card")}</h3>
        <DoseCard codes={app.codes.pregnant_woman} card={card} onChange={setCard} today={today} />
        <FieldError text={problem} />
        <ErrorBox error={fe.general} />
        <button type="submit" class="btn primary wide" disabled={busy} data-testid="woman-save">
          {t("woman.save")}
        </button>
      </form>
    </Sheet>
  );
}
