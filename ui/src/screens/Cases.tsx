// Resistant families' case files and communication activities (issue 11). An ASHA sees "my
// families to visit" (her village's cases, those still to work on first, oldest first), opens a
// case (its visits as a timeline) and records a visit or an activity; an ANM or a supervisor sees
// every open case oldest first and also assigns and escalates.
import { useState } from "preact/hooks";
import { api, toApiError, type ApiError } from "../api";
import type { ActivityKind, ActivityRecord, CaseFileRecord, Persuader, VisitAction, VisitOutcome } from "../bindings";
import { useApp } from "../context";
import { doseName, reasonName, t } from "../i18n";
import { isoToDisplay, parseDisplayDate } from "../lib/dates";
import {
  ACTIVITY_KINDS, caseBadge, isOpen, lastVisit, mayAssign, parseAttendance, PERSUADERS, refusedDoses, timeline, VISIT_ACTIONS, VISIT_OUTCOMES, visitorOf,
} from "../lib/cases";
import { DateField, dateProblem, ErrorBox, FieldError, Loading, Sheet, TextField } from "../components/ui";
import { useLoad } from "./Survey";

type Part = "cases" | "activities";

/** The link from another screen (the supervisor's refusals) to the case files. */
export function CasesLink() {
  const { setTab } = useApp();
  return (
    <button class="btn wide" onClick={() => setTab("cases")} data-testid="open-cases">
      {t("cases.open_link")}
    </button>
  );
}

export function CasesScreen() {
  const { worker } = useApp();
  const [part, setPart] = useState<Part>("cases");
  const [village, setVillage] = useState("");
  return (
    <div class="screen" data-screen="cases">
      <div class="segmented" role="tablist">
        {(["cases", "activities"] as Part[]).map((p) => (
          <button key={p} role="tab" aria-selected={part === p} class={part === p ? "on" : ""} onClick={() => setPart(p)} data-testid={`cases-${p}`}>
            {p === "cases" ? (worker?.role === "asha" ? t("cases.mine") : t("cases.all_open")) : t("cases.activities")}
          </button>
        ))}
      </div>
      <VillagePick value={village} onChange={setVillage} />
      {part === "cases" ? <CaseList village={village} /> : <Activities village={village} />}
    </div>
  );
}

function VillagePick({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const { data } = useLoad(() => api.villages(), []);
  return (
    <select value={value} onChange={(e) => onChange(e.currentTarget.value)} data-testid="cases-village" aria-label={t("sup.village")}>
      <option value="">{t("common.all_villages")}</option>
      {data?.map((v) => (
        <option key={v.id} value={v.id}>
          {v.name}
        </option>
      ))}
    </select>
  );
}

function CaseBadgeTag({ c }: { c: CaseFileRecord }) {
  const b = caseBadge(c);
  const cls = b === "persuaded" ? "ok" : b === "still_refusing" ? "warn" : "";
  return (
    <span class={`tag ${cls}`} data-testid="case-status" data-status={b}>
      {t("case.status." + b)}
    </span>
  );
}

function assignedText(c: CaseFileRecord): string {
  if (!c.assigned) return t("case.not_assigned");
  const who = t("persuader." + c.assigned.persuader);
  return t("case.assigned", { who: c.assigned.name ? `${who} (${c.assigned.name})` : who });
}

function CaseList({ village }: { village: string }) {
  const { worker } = useApp();
  const asha = worker?.role === "asha";
  const req = asha ? { village_id: village || null, mine: true } : { village_id: village || null, open_only: true };
  const { data, err, reload } = useLoad(() => api.caseFiles(req), [village, asha]);
  const [shown, setShown] = useState<string | null>(null);
  // The case as the last write answered it (the list reloads behind it).
  const [fresh, setFresh] = useState<CaseFileRecord | null>(null);
  const open = fresh && fresh.household === shown ? fresh : (data?.find((c) => c.household === shown) ?? null);
  return (
    <>
      <p class="muted">{asha ? t("cases.mine_help") : t("cases.all_open_help")}</p>
      <ErrorBox error={err} />
      {!data && !err && <Loading />}
      <ul class="list">
        {data?.map((c) => {
          const last = lastVisit(c);
          return (
            <li key={c.household}>
              <button class="row-btn" onClick={() => setShown(c.household)} data-testid="case-item" data-household-id={c.household_id} data-status={caseBadge(c)}>
                <span class="row-title">
                  {c.head_of_household ?? c.household_id} <span class="muted">· {c.village}</span> <CaseBadgeTag c={c} />
                  {c.escalated && <span class="tag warn" data-testid="case-escalated"> {t("case.escalated")}</span>}
                </span>
                <span class="row-sub" data-testid="case-doses">
                  {refusedDoses(c).map(doseName).join(", ")}
                </span>
                <span class="row-sub" data-testid="case-days">
                  {isOpen(c) ? `${t("case.days_open", { n: c.days_open })} · ` : ""}
                  {assignedText(c)}
                </span>
                <span class="row-sub" data-testid="case-last-visit">
                  {last ? t("case.last_visit", { date: isoToDisplay(last.date), outcome: t("visit.outcome." + last.outcome) }) : t("case.no_visit")}
                </span>
              </button>
            </li>
          );
        })}
        {data?.length === 0 && <li class="muted" data-testid="cases-none">{t("cases.none")}</li>}
      </ul>
      {open && (
        <CaseSheet c={open} onClose={() => (setShown(null), setFresh(null))} onChanged={(c) => (setFresh(c), reload())} />
      )}
    </>
  );
}

function Choices<T extends string>(props: { options: readonly T[]; value: T | null; onPick: (v: T) => void; label: (v: T) => string; testid: string; title: string }) {
  return (
    <fieldset class="field">
      <legend class="label">{props.title}</legend>
      <div class="choice-row">
        {props.options.map((o) => (
          <button type="button" key={o} class={`choice ${props.value === o ? "on" : ""}`} aria-pressed={props.value === o} onClick={() => props.onPick(o)} data-testid={`${props.testid}-${o}`}>
            {props.label(o)}
          </button>
        ))}
      </div>
    </fieldset>
  );
}

type Changed = (c: CaseFileRecord) => void;

function CaseSheet({ c, onClose, onChanged }: { c: CaseFileRecord; onClose: () => void; onChanged: Changed }) {
  const { worker } = useApp();
  return (
    <Sheet title={c.head_of_household ?? c.household_id} onClose={onClose} testid="case-sheet">
      <p>
        <CaseBadgeTag c={c} /> {c.state.persuaded_on && <span data-testid="case-persuaded">{t("case.persuaded_on", { date: isoToDisplay(c.state.persuaded_on) })}</span>}
      </p>
      <p class="muted">
        {c.village} · {t("sup.house", { no: c.house_no ?? "—" })} · {c.household_id}
        {c.phone && (
          <>
            {" · "}
            <a href={`tel:${c.phone.replace(/[^\d+]/g, "")}`}>{c.phone}</a>
          </>
        )}
      </p>
      <ul class="list" data-testid="case-refusals">
        {c.refusals.map((r, i) => (
          <li key={r.register_id + r.date + i} data-testid="case-refusal" data-register-id={r.register_id}>
            {r.name} · {r.codes.map(doseName).join(", ")} · {isoToDisplay(r.date)} · {reasonName(r.reason)}
          </li>
        ))}
      </ul>
      <p data-testid="case-assigned">{assignedText(c)}</p>
      {c.escalated && <p class="note" data-testid="case-escalated-note">{t("case.escalated_on", { date: isoToDisplay(c.escalated.on) })}{c.escalated.note ? ` · ${c.escalated.note}` : ""}</p>}
      <h3>{t("case.visits")}</h3>
      <ol class="list" data-testid="case-timeline">
        {timeline(c).map((v) => (
          <li key={v.id} data-testid="case-visit" data-outcome={v.outcome}>
            <strong>{isoToDisplay(v.date)}</strong> · {t("persuader." + v.by)}
            {v.by_name ? ` (${v.by_name})` : ""} · {t("visit.action." + v.action)} · {t("visit.outcome." + v.outcome)}
            {v.note ? <div class="muted">{v.note}</div> : null}
          </li>
        ))}
        {c.visits.length === 0 && <li class="muted">{t("case.no_visit")}</li>}
      </ol>
      <VisitForm c={c} onSaved={onChanged} />
      {mayAssign(worker?.role) && <AssignForm c={c} onSaved={onChanged} />}
      {mayAssign(worker?.role) && <EscalateForm c={c} onSaved={onChanged} />}
    </Sheet>
  );
}

function VisitForm({ c, onSaved }: { c: CaseFileRecord; onSaved: Changed }) {
  const { worker, today } = useApp();
  const [date, setDate] = useState(isoToDisplay(today));
  const [by, setBy] = useState<Persuader | null>(visitorOf(worker?.role));
  const [byName, setByName] = useState(worker?.name ?? "");
  const [action, setAction] = useState<VisitAction | null>(null);
  const [outcome, setOutcome] = useState<VisitOutcome | null>(null);
  const [note, setNote] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const save = async () => {
    const d = parseDisplayDate(date, { today, minIso: c.state.opened_on });
    if (!d.ok) return setProblem(d.problem === "too_old" ? t("case.before_refusal") : dateProblem(d));
    if (!by || !action || !outcome) return setProblem(t("case.pick_all"));
    setProblem(null);
    try {
      const after = await api.recordCaseVisit({ household: c.household, date: d.iso, by, by_name: byName.trim() || null, action, outcome, note: note.trim() || null });
      setErr(null);
      setAction(null);
      setOutcome(null);
      setNote("");
      setSaved(true);
      onSaved(after);
    } catch (e) {
      setErr(toApiError(e));
    }
  };
  return (
    <form class="form card" onSubmit={(e) => (e.preventDefault(), save())} data-testid="visit-form">
      <h3>{t("case.record_visit")}</h3>
      <DateField label={t("case.visit_date")} value={date} onInput={setDate} testid="visit-date" today={today} />
      <Choices title={t("case.by")} options={PERSUADERS} value={by} onPick={setBy} label={(p) => t("persuader." + p)} testid="visit-by" />
      <TextField label={`${t("case.by_name")} ${t("common.optional")}`} value={byName} onInput={setByName} testid="visit-by-name" />
      <Choices title={t("case.action")} options={VISIT_ACTIONS} value={action} onPick={setAction} label={(a) => t("visit.action." + a)} testid="visit-action" />
      <Choices title={t("case.outcome")} options={VISIT_OUTCOMES} value={outcome} onPick={setOutcome} label={(o) => t("visit.outcome." + o)} testid="visit-outcome" />
      <TextField label={`${t("case.note")} ${t("common.optional")}`} value={note} onInput={setNote} testid="visit-note" maxLength={100} />
      <FieldError text={problem} />
      <ErrorBox error={err} />
      {saved && !problem && !err && <p class="note" data-testid="visit-saved">{t("case.visit_saved")}</p>}
      <button type="submit" class="btn primary wide" data-testid="visit-save">
        {t("case.save_visit")}
      </button>
    </form>
  );
}

function AssignForm({ c, onSaved }: { c: CaseFileRecord; onSaved: Changed }) {
  const [who, setWho] = useState<Persuader | null>(c.assigned?.persuader ?? null);
  const [name, setName] = useState(c.assigned?.name ?? "");
  const [err, setErr] = useState<ApiError | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const save = async () => {
    if (!who) return setProblem(t("case.pick_persuader"));
    setProblem(null);
    try {
      const after = await api.assignCase({ household: c.household, persuader: who, name: name.trim() || null });
      setErr(null);
      onSaved(after);
    } catch (e) {
      setErr(toApiError(e));
    }
  };
  return (
    <form class="form card" onSubmit={(e) => (e.preventDefault(), save())} data-testid="assign-form">
      <h3>{t("case.assign")}</h3>
      <Choices title={t("case.assign_to")} options={PERSUADERS} value={who} onPick={setWho} label={(p) => t("persuader." + p)} testid="assign-to" />
      <TextField label={`${t("case.assign_name")} ${t("common.optional")}`} value={name} onInput={setName} testid="assign-name" />
      <FieldError text={problem} />
      <ErrorBox error={err} />
      <button type="submit" class="btn primary wide" data-testid="assign-save">
        {t("case.assign_save")}
      </button>
    </form>
  );
}

function EscalateForm({ c, onSaved }: { c: CaseFileRecord; onSaved: Changed }) {
  const [note, setNote] = useState("");
  const [err, setErr] = useState<ApiError | null>(null);
  const escalated = !!c.escalated;
  const save = async () => {
    try {
      const after = await api.escalateCase({ household: c.household, escalated: !escalated, note: note.trim() || null });
      setErr(null);
      setNote("");
      onSaved(after);
    } catch (e) {
      setErr(toApiError(e));
    }
  };
  return (
    <form class="form card" onSubmit={(e) => (e.preventDefault(), save())} data-testid="escalate-form">
      <h3>{t("case.escalate_title")}</h3>
      {!escalated && <TextField label={`${t("case.note")} ${t("common.optional")}`} value={note} onInput={setNote} testid="escalate-note" maxLength={100} />}
      <ErrorBox error={err} />
      <button type="submit" class={`btn wide ${escalated ? "" : "primary"}`} data-testid={escalated ? "case-withdraw" : "case-escalate"}>
        {escalated ? t("case.withdraw") : t("case.escalate")}
      </button>
    </form>
  );
}

function Activities({ village }: { village: string }) {
  const { data, err, reload } = useLoad(() => api.activities({ village_id: village || null }), [village]);
  const [adding, setAdding] = useState(false);
  return (
    <>
      <button class="btn primary wide" onClick={() => setAdding(true)} data-testid="activity-add">
        {t("activity.add")}
      </button>
      <ErrorBox error={err} />
      {!data && !err && <Loading />}
      <ul class="list">
        {data?.map((a: ActivityRecord) => (
          <li key={a.id} class="member" data-testid="activity-item" data-kind={a.kind}>
            <div class="row-title">
              {t("activity.kind." + a.kind)} <span class="muted">· {a.village}</span>
            </div>
            <div class="row-sub">
              {isoToDisplay(a.date)} · {t("activity.led", { name: a.led_by })}
              {a.leader ? ` (${t("persuader." + a.leader)})` : ""} · <span data-testid="activity-attendance">{t("activity.attended", { n: a.attendance })}</span>
            </div>
            {a.note && <div class="muted">{a.note}</div>}
          </li>
        ))}
        {data?.length === 0 && <li class="muted" data-testid="activities-none">{t("activity.none")}</li>}
      </ul>
      {adding && <ActivityForm village={village} onClose={() => setAdding(false)} onSaved={() => (setAdding(false), reload())} />}
    </>
  );
}

function ActivityForm({ village, onClose, onSaved }: { village: string; onClose: () => void; onSaved: () => void }) {
  const { worker, today } = useApp();
  const villages = useLoad(() => api.villages(), []).data;
  const [v, setV] = useState(village);
  const [kind, setKind] = useState<ActivityKind | null>(null);
  const [date, setDate] = useState(isoToDisplay(today));
  const [ledBy, setLedBy] = useState(worker?.name ?? "");
  const [attendance, setAttendance] = useState("");
  const [note, setNote] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  const chosen = v || (villages?.length === 1 ? villages[0].id : "");
  const save = async () => {
    if (!chosen) return setProblem(t("activity.pick_village"));
    if (!kind) return setProblem(t("activity.pick_kind"));
    const d = parseDisplayDate(date, { today });
    if (!d.ok) return setProblem(dateProblem(d));
    if (!ledBy.trim()) return setProblem(t("activity.led_by_empty"));
    const n = parseAttendance(attendance);
    if (!n.ok) return setProblem(t("activity.attendance_bad"));
    setProblem(null);
    try {
      await api.recordActivity({ village_id: chosen, date: d.iso, kind, led_by: ledBy.trim(), leader: visitorOf(worker?.role), attendance: n.n, note: note.trim() || null });
      onSaved();
    } catch (e) {
      setErr(toApiError(e));
    }
  };
  return (
    <Sheet title={t("activity.add")} onClose={onClose} testid="activity-sheet" dirty={!!kind || !!attendance || !!note}>
      <form class="form" onSubmit={(e) => (e.preventDefault(), save())}>
        <label class="field">
          <span class="label">{t("sup.village")}</span>
          <select value={chosen} onChange={(e) => setV(e.currentTarget.value)} data-testid="activity-village">
            <option value="">—</option>
            {villages?.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
        </label>
        <Choices title={t("activity.kind")} options={ACTIVITY_KINDS} value={kind} onPick={setKind} label={(k) => t("activity.kind." + k)} testid="activity-kind" />
        <DateField label={t("activity.date")} value={date} onInput={setDate} testid="activity-date" today={today} />
        <TextField label={t("activity.led_by")} value={ledBy} onInput={setLedBy} testid="activity-led-by" />
        <TextField label={t("activity.attendance")} value={attendance} onInput={setAttendance} testid="activity-attendance-input" inputMode="numeric" maxLength={5} />
        <TextField label={`${t("case.note")} ${t("common.optional")}`} value={note} onInput={setNote} testid="activity-note" maxLength={100} />
        <FieldError text={problem} />
        <ErrorBox error={err} />
        <button type="submit" class="btn primary wide" data-testid="activity-save">
          {t("common.save")}
        </button>
      </form>
    </Sheet>
  );
}
