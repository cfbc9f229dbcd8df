import { deliveryAdded, DeliveryForm, deliveryLine, sexLabel } from "../components/DeliveryForm";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, toApiError, type ApiError } from "../api";
import type { Beneficiary, DoseCode, Found, Household, ReasonCode, Sex, Village, Warning } from "../bindings";
import { useApp } from "../context";
import { doseName, kindName, reasonName, riskName, t, warningText } from "../i18n";
import { isoToDisplay, parseDisplayDate } from "../lib/dates";
import { Badge, DateField, dateProblem, errorId, ErrorBox, FieldError, Icon, Loading, Sheet, TextField, useFieldErrors } from "../components/ui";
import { cardEntries, DoseCard, type CardState } from "../components/DoseCard";
import { DueChips, MemberRow } from "../components/MemberRow";
import { AefiEntry } from "../components/AefiEntry";
import { ChildForm, HouseholdForm, WomanForm } from "../components/BeneficiaryForms";
import { personAge } from "../lib/age";
import { NotGivenPicker } from "../components/NotGivenPicker";
import { RecordHistory } from "../components/RecordHistory";

type View =
  | { k: "villages" }
  | { k: "households"; village: Village }
  | { k: "members"; village: Village; household: Household }
  | { k: "member"; register_id: string; village_id?: string };

/** Loads with `f` on mount and whenever `deps` or the data version change. */
/** Loads `f()` for `deps`, again when the data changes or on `reload`. What was loaded for other
 * `deps` (another person's card) is never shown while the new one loads. */
function useLoad<T>(f: () => Promise<T>, deps: unknown[]): { data: T | null; err: ApiError | null; reload: () => void } {
  const { dataVersion } = useApp();
  const key = JSON.stringify(deps);
  const [got, setGot] = useState<{ key: string; data: T | null; err: ApiError | null }>({ key, data: null, err: null });
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    f().then(
      (d) => live && setGot({ key, data: d, err: null }),
      (e) => live && setGot((g) => ({ key, data: g.key === key ? g.data : null, err: toApiError(e) })),
    );
    return () => {
      live = false;
    };
  }, [...deps, dataVersion, n]);
  const current = got.key === key;
  return { data: current ? got.data : null, err: current ? got.err : null, reload: () => setN((x) => x + 1) };
}
export { useLoad };

export function SurveyScreen() {
  const [stack, setStack] = useState<View[]>([{ k: "villages" }]);
  const view = stack[stack.length - 1];
  const push = (v: View) => setStack([...stack, v]);
  const back = () => setStack(stack.length > 1 ? stack.slice(0, -1) : stack);
  return (
    <div class="screen" data-screen="survey">
      {view.k === "villages" && <VillagesView push={push} />}
      {view.k === "households" && <HouseholdsView village={view.village} push={push} back={back} />}
      {view.k === "members" && <MembersView village={view.village} household={view.household} push={push} back={back} />}
      {view.k === "member" && <MemberDetail key={view.register_id} register_id={view.register_id} back={back} open={(rid) => push({ k: "member", register_id: rid })} />}
    </div>
  );
}

function Head({ title, back, sub }: { title: string; back?: () => void; sub?: string }) {
  return (
    <div class="head">
      {back && (
        <button class="icon-btn" onClick={back} data-testid="back" aria-label={t("common.back")}>
          <Icon name="back" />
        </button>
      )}
      <div>
        <h1>{title}</h1>
        {sub && <p class="muted">{sub}</p>}
      </div>
    </div>
  );
}

function SearchBox({ village_id, push }: { village_id?: string; push: (v: View) => void }) {
  const [text, setText] = useState("");
  const [found, setFound] = useState<Found[] | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  useEffect(() => {
    const q = text.trim();
    if (q.length < 2) return setFound(null);
    // Only the answer to the text now in the box is shown (a slow older one is dropped).
    let live = true;
    const id = setTimeout(() => {
      api.search(q, village_id).then((f) => live && (setFound(f), setErr(null)), (e) => live && setErr(toApiError(e)));
    }, 250);
    return () => {
      live = false;
      clearTimeout(id);
    };
  }, [text, village_id]);
  return (
    <div class="search">
      <input type="search" placeholder={t("common.search")} aria-label={t("common.search")} value={text} onInput={(e) => setText(e.currentTarget.value)} data-testid="search" />
      <ErrorBox error={err} />
      {found && (
        <ul class="list" data-testid="search-results">
          {found.length === 0 && <li class="muted" data-testid="search-none">{t("search.none", { q: text.trim() })}</li>}
          {found.map((m) => (
            <li key={m.register_id}>
              <button class="row-btn" onClick={() => push({ k: "member", register_id: m.register_id })} data-testid="search-result" data-register-id={m.register_id}>
                <span class="row-title">
                  {m.name} <span class="muted" data-testid="age">· {personAge(m)}</span>
                </span>
                <span class="row-sub">
                  {m.village} · {t("sup.house", { no: m.house_no ?? "—" })} · {m.head_of_household ?? ""}
                </span>
                <Badge c={m.classification} due={m.due} />
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function VillagesView({ push }: { push: (v: View) => void }) {
  const { data, err, reload } = useLoad(() => api.villages(), []);
  const [adding, setAdding] = useState(false);
  const [name, setName] = useState("");
  const fe = useFieldErrors({ name }, () => (name.trim() ? null : t("common.required")));
  const save = async () => {
    if (!fe.validate(["name"])) return;
    try {
      const v = await api.addVillage(name.trim());
      setAdding(false);
      setName("");
      reload();
      push({ k: "households", village: v });
    } catch (e) {
      fe.fail(toApiError(e));
    }
  };
  return (
    <>
      <Head title={t("survey.villages")} />
      <SearchBox push={push} />
      <ErrorBox error={err} />
      {!data && !err && <Loading />}
      <ul class="list">
        {data?.map((v) => (
          <li key={v.id}>
            <button class="row-btn" onClick={() => push({ k: "households", village: v })} data-testid="village" data-name={v.name} data-id={v.id}>
              <span class="row-title">{v.name}</span>
              <span class="row-sub">
                {t("survey.households_n", { n: v.households })} · {t("survey.children_n", { n: v.children })} · {t("survey.women_n", { n: v.pregnant_women })}
              </span>
              {v.due > 0 && <span class="count-due">{t("survey.due_n", { n: v.due })}</span>}
            </button>
          </li>
        ))}
        {data && data.length === 0 && <li class="muted">{t("common.none")}</li>}
      </ul>
      <button class="btn primary wide" onClick={() => setAdding(true)} data-testid="add-village">
        <Icon name="plus" /> {t("survey.add_village")}
      </button>
      {adding && (
        <Sheet title={t("survey.add_village")} onClose={() => (setAdding(false), setName(""), fe.clear())} dirty={!!name.trim()}>
          <form class="form" onSubmit={(e) => (e.preventDefault(), save())}>
            <TextField label={t("survey.village_name")} value={name} onInput={setName} testid="village-name" autoFocus error={fe.error("name")} />
            <ErrorBox error={fe.general} />
            <button type="submit" class="btn primary wide" data-testid="village-save">
              {t("common.save")}
            </button>
          </form>
        </Sheet>
      )}
    </>
  );
}

function HouseholdsView({ village, push, back }: { village: Village; push: (v: View) => void; back: () => void }) {
  const { data, err, reload } = useLoad(() => api.households(village.id), [village.id]);
  const [form, setForm] = useState(false);
  return (
    <>
      <Head title={village.name} sub={t("survey.households")} back={back} />
      <SearchBox village_id={village.id} push={push} />
      <ErrorBox error={err} />
      {!data && !err && <Loading />}
      <ul class="list">
        {data?.map((h) => (
          <li key={h.id}>
            <button class="row-btn" onClick={() => push({ k: "members", village, household: h })} data-testid="household" data-id={h.id} data-house-no={h.house_no ?? ""}>
              <span class="row-title">
                {h.house_no ? `${h.house_no} · ` : ""}
                {h.head_of_household ?? "—"}
              </span>
              <span class="row-sub">
                {t("survey.members_n", { n: h.members })}
                {h.risk_category ? ` · ${riskName(h.risk_category)}` : ""}
              </span>
              {h.resistant && <span class="tag warn">{t("survey.resistant")}</span>}
              {h.due > 0 && <span class="count-due">{t("survey.due_n", { n: h.due })}</span>}
            </button>
          </li>
        ))}
        {data && data.length === 0 && <li class="muted">{t("common.none")}</li>}
      </ul>
      <button class="btn primary wide" onClick={() => setForm(true)} data-testid="add-household">
        <Icon name="plus" /> {t("survey.add_household")}
      </button>
      {form && (
        <HouseholdForm
          village={village}
          onClose={() => setForm(false)}
          onOpen={(h) => (setForm(false), push({ k: "members", village, household: h }))}
          onDone={(h) => {
            setForm(false);
            reload();
            push({ k: "members", village, household: h });
          }}
        />
      )}
    </>
  );
}

function MembersView({ village, household, push, back }: { village: Village; household: Household; push: (v: View) => void; back: () => void }) {
  const [hh, setHh] = useState(household);
  const { data, err, reload } = useLoad(() => api.members(hh.id), [hh.id]);
  const [sheet, setSheet] = useState<"child" | "woman" | "edit" | null>(null);
  return (
    <>
      <Head title={`${hh.house_no ? hh.house_no + " · " : ""}${hh.head_of_household ?? ""}`} sub={`${village.name}${hh.phone ? " · " + hh.phone : ""} · ${riskName(hh.risk_category)}`} back={back} />
      {hh.resistant && <p class="tag warn">{t("survey.resistant")}</p>}
      <button class="btn" onClick={() => setSheet("edit")} data-testid="hh-edit">
        {t("survey.edit_household")}
      </button>
      <h2>{t("survey.members")}</h2>
      <ErrorBox error={err} />
      {!data && !err && <Loading />}
      <ul class="list">
        {data?.map((m) => <MemberRow key={m.register_id} m={m} onOpen={() => push({ k: "member", register_id: m.register_id, village_id: village.id })} />)}
        {data && data.length === 0 && <li class="muted">{t("common.none")}</li>}
      </ul>
      <div class="actions">
        <button class="btn primary" onClick={() => setSheet("child")} data-testid="add-child">
          <Icon name="plus" /> {t("survey.add_child")}
        </button>
        <button class="btn primary" onClick={() => setSheet("woman")} data-testid="add-woman">
          <Icon name="plus" /> {t("survey.add_woman")}
        </button>
      </div>
      {sheet === "edit" && (
        <HouseholdForm
          village={village}
          household={hh}
          onClose={() => setSheet(null)}
          onOpen={(h) => (setSheet(null), push({ k: "members", village, household: h }))}
          onDone={(h) => {
            setHh(h);
            setSheet(null);
          }}
        />
      )}
      {sheet === "child" && (
        <ChildForm
          household={hh}
          onClose={() => setSheet(null)}
          onSaved={() => (setSheet(null), reload())}
          onOpen={(rid) => (setSheet(null), push({ k: "member", register_id: rid }))}
        />
      )}
      {sheet === "woman" && <WomanForm household={hh} onClose={() => setSheet(null)} onSaved={() => (setSheet(null), reload())} />}
    </>
  );
}

function MemberDetail({ register_id, back, open }: { register_id: string; back: () => void; open: (register_id: string) => void }) {
  const { app, today, worker } = useApp();
  const { data: b, err, reload } = useLoad(() => api.beneficiary(register_id), [register_id]);
  const [sheet, setSheet] = useState<"doses" | "refusal" | "edit" | "delivery" | "history" | null>(null);
  const [delivered, setDelivered] = useState<string | null>(null);
  const [card, setCard] = useState<CardState>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [actErr, setActErr] = useState<ApiError | null>(null);
  const [warnings, setWarnings] = useState<Warning[]>([]);
  const [confirm, setConfirm] = useState<"migrated" | "died" | "active" | null>(null);
  // One change at a time: a second tap while the first is being saved records nothing twice.
  const inFlight = useRef(false);
  if (!b) return (<><Head title={register_id} back={back} /><ErrorBox error={err} />{!err && <Loading />}</>);

  const act = async (f: () => Promise<unknown>) => {
    if (inFlight.current) return;
    inFlight.current = true;
    setActErr(null);
    try {
      await f();
      setSheet(null);
      setConfirm(null);
      reload();
    } catch (e) {
      setActErr(toApiError(e));
    } finally {
      inFlight.current = false;
    }
  };
  const saveDoses = () => {
    const c = cardEntries(card, today, b.kind === "child" ? b.dob ?? undefined : b.lmp ?? undefined);
    setProblem(c.problem);
    if (c.problem || !c.doses.length) return;
    act(async () => {
      const r = await api.addDoses(b.register_id, c.doses);
      setWarnings(r.warnings);
      setCard({});
    });
  };
  const have = new Set(b.doses.map((d) => d.code));
  const codes = b.kind === "child" ? app.codes.child : app.codes.pregnant_woman;
  return (
    <>
      <Head title={b.name} sub={`${t("member.register_id")} ${b.register_id} · ${b.village} · ${t("sup.house", { no: b.house_no ?? "—" })}`} back={back} />
      <div class="detail" data-testid="member-detail" data-register-id={b.register_id}>
        <p>
          <Badge c={b.classification} due={b.due} /> {b.fully_immunized && <span class="tag ok">{t("member.fic")}</span>}{" "}
          <span class="tag" data-testid="member-status" data-status={b.status}>{t("status." + b.status)}</span>
        </p>
        <p class="muted">
          {kindName(b.kind, b.sex)}
          {sexLabel(b.kind, b.sex) ? ` · ${sexLabel(b.kind, b.sex)}` : ""}
          <span data-testid="age"> · {personAge(b, false)}</span>
          {b.dob ? ` · ${t("member.dob", { date: isoToDisplay(b.dob) })}` : ""}
          {b.lmp ? ` · ${t("member.lmp", { date: isoToDisplay(b.lmp) })}` : ""}
          {b.edd ? ` · ${t("member.edd", { date: isoToDisplay(b.edd) })}` : ""}
          {b.mother_name ? ` · ${t("member.mother", { name: b.mother_name })}` : ""}
        </p>
        {(b.abha || b.rch_id || b.uwin_id) && (
          <p class="muted" data-testid="member-ids">
            {[
              b.abha && t("member.ids.abha", { v: b.abha }),
              b.rch_id && t("member.ids.rch_id", { v: b.rch_id }),
              b.uwin_id && t("member.ids.uwin_id", { v: b.uwin_id }),
            ]
              .filter(Boolean)
              .join(" · ")}
          </p>
        )}
        {b.delivery && <p data-testid="member-delivery">{deliveryLine(b.delivery)}</p>}
        {b.mother && (
          <button class="btn" onClick={() => open(b.mother!)} data-testid="member-mother-open">
            {t("member.open_mother", { name: b.mother_name ?? b.mother })}
          </button>
        )}
        {delivered && <div class="note" data-testid="delivery-added">{delivered}</div>}
        <h3>{t("member.due")}</h3>
        <DueChips due={b.due} />
        {b.upcoming.length > 0 && (
          <>
            <h3>{t("member.upcoming")}</h3>
            <ul class="plain" data-testid="upcoming">
              {b.upcoming.map((d) => (
                <li key={d.code} data-testid="upcoming-dose" data-code={d.code}>
                  {doseName(d.code)} · {t("member.due_on", { date: isoToDisplay(d.due_on) })}
                </li>
              ))}
            </ul>
          </>
        )}
        <h3>{t("member.doses")}</h3>
        {b.doses.length === 0 ? (
          <p class="muted">{t("member.no_doses")}</p>
        ) : (
          <ul class="plain">
            {b.doses.map((d) => (
              <li key={d.id} data-testid="dose-record" data-code={d.code}>
                {doseName(d.code)} · {isoToDisplay(d.date)} {d.flagged && <span class="tag warn">{t("member.flagged")}</span>}
              </li>
            ))}
          </ul>
        )}
        {b.not_given.length > 0 && (
          <>
            <h3>{t("member.not_given")}</h3>
            <ul class="plain">
              {b.not_given.map((d) => (
                <li key={d.id} data-testid="not-given-record" data-code={d.code}>
                  {doseName(d.code)} · {isoToDisplay(d.date)} · {reasonName(d.reason)}
                </li>
              ))}
            </ul>
          </>
        )}
        {b.aefi.length > 0 && (
          <>
            <h3>{t("member.aefi")}</h3>
            <ul class="plain">
              {b.aefi.map((a) => (
                <AefiEntry key={a.id} a={a} />
              ))}
            </ul>
          </>
        )}
        {warnings.length > 0 && (
          <div class="note" data-testid="warnings">
            {t("common.warnings")} {warnings.map(warningText).join(" ")}
          </div>
        )}
        <ErrorBox error={actErr} />
        <div class="actions col">
          <button class="btn primary" onClick={() => setSheet("doses")} data-testid="member-add-doses">
            {t("member.add_doses")}
          </button>
          {b.kind === "pregnant_woman" && b.status === "active" && (
            <button class="btn primary" onClick={() => setSheet("delivery")} data-testid="member-delivery-open">
              {t("delivery.record")}
            </button>
          )}
          <button class="btn" onClick={() => setSheet("refusal")} data-testid="member-refusal">
            {t("member.refusal")}
          </button>
          <button class="btn" onClick={() => setSheet("edit")} data-testid="member-edit">
            {t("common.edit")}
          </button>
          {worker?.role === "supervisor" && (
            <button class="btn" onClick={() => setSheet("history")} data-testid="member-history">
              {t("member.history")}
            </button>
          )}
          {b.status === "active" ? (
            <>
              <button class="btn" onClick={() => setConfirm("migrated")} data-testid="member-migrated">
                {t("member.mark_migrated")}
              </button>
              <button class="btn" onClick={() => setConfirm("died")} data-testid="member-died">
                {t("member.mark_died")}
              </button>
            </>
          ) : (
            <button class="btn" onClick={() => setConfirm("active")} data-testid="member-active">
              {t("member.mark_active")}
            </button>
          )}
        </div>
        {confirm && (
          <div class="similar" role="alertdialog" data-testid="status-confirm">
            <p>{t("member.confirm_status", { name: b.name, status: t("status." + confirm) })}</p>
            <div class="actions">
              <button class="btn" onClick={() => setConfirm(null)} data-testid="status-cancel">
                {t("common.cancel")}
              </button>
              <button class="btn primary" onClick={() => act(() => api.setStatus(b.register_id, confirm))} data-testid="status-confirm-yes">
                {t("common.ok")}
              </button>
            </div>
          </div>
        )}
      </div>
      {sheet === "doses" && (
        <Sheet title={t("member.add_doses")} onClose={() => (setSheet(null), setCard({}))} dirty={Object.values(card).some((c) => c.on)}>
          <DoseCard codes={codes} card={card} onChange={setCard} today={today} exclude={have} upcoming={b.upcoming} />
          <FieldError text={problem} />
          <ErrorBox error={actErr} />
          <button class="btn primary wide" onClick={saveDoses} data-testid="doses-save">
            {t("member.save_doses")}
          </button>
        </Sheet>
      )}
      {sheet === "refusal" && (
        <RefusalForm
          b={b}
          err={actErr}
          onClose={() => setSheet(null)}
          onSave={(reason, codes, note) => act(() => api.recordRefusal(b.register_id, reason, codes, note))}
        />
      )}
      {sheet === "edit" && (
        <EditForm
          b={b}
          onClose={() => setSheet(null)}
          onSave={async (u) => {
            await api.updateBeneficiary({ register_id: b.register_id, ...u });
            setSheet(null);
            reload();
          }}
        />
      )}
      {sheet === "history" && <RecordHistory register_id={b.register_id} name={b.name} onClose={() => setSheet(null)} />}
      {sheet === "delivery" && (
        <DeliveryForm
          registerId={b.register_id}
          mother={b.name}
          lmp={b.lmp}
          today={today}
          onClose={() => setSheet(null)}
          onDone={(r) => {
            setDelivered(deliveryAdded(r));
            setSheet(null);
            reload();
          }}
        />
      )}
    </>
  );
}

type Update = {
  name?: string;
  sex?: Sex;
  dob?: string;
  lmp?: string;
  mother_name?: string;
  abha?: string;
  rch_id?: string;
  uwin_id?: string;
};

/** The national identifiers, in the order of the form. */
const ID_FIELDS = ["abha", "rch_id", "uwin_id"] as const;

/** Name, sex, date of birth or LMP, mother's name, the national identifiers (the core checks
 * their shape: BAD_ABHA …); each error beside its field. */
function EditForm({ b, onClose, onSave }: { b: Beneficiary; onClose: () => void; onSave: (u: Update) => Promise<void> }) {
  const { today } = useApp();
  const [name, setName] = useState(b.name);
  const [sex, setSex] = useState<Sex | null>(b.sex);
  const initialDate = isoToDisplay(b.kind === "child" ? b.dob : b.lmp);
  const [date, setDate] = useState(initialDate);
  const [mother, setMother] = useState(b.mother_name ?? "");
  const [ids, setIds] = useState({ abha: b.abha ?? "", rch_id: b.rch_id ?? "", uwin_id: b.uwin_id ?? "" });
  const [busy, setBusy] = useState(false);
  // The date's field has the request's name: dob for a child, lmp for a pregnant woman.
  const dateField = b.kind === "child" ? "dob" : "lmp";
  const fe = useFieldErrors({ name, sex, [dateField]: date, mother_name: mother, ...ids } as Record<string, unknown>, (f) => {
    if (f === "name") return name.trim() ? null : t("common.required");
    if (f === dateField && date.trim()) return dateProblem(parseDisplayDate(date, { today }));
    return null;
  });
  const idChanged = (f: (typeof ID_FIELDS)[number]) => ids[f].trim() !== (b[f] ?? "");
  const dirty = name !== b.name || sex !== b.sex || date !== initialDate || mother !== (b.mother_name ?? "") || ID_FIELDS.some(idChanged);
  const submit = async () => {
    if (!fe.validate(["name", dateField])) return;
    const u: Update = {};
    if (name.trim() !== b.name) u.name = name.trim();
    if (b.kind === "child" && sex && sex !== b.sex) u.sex = sex;
    const p = parseDisplayDate(date, { today });
    if (date.trim() && p.ok) {
      if (b.kind === "child" && p.iso !== b.dob) u.dob = p.iso;
      if (b.kind === "pregnant_woman" && p.iso !== b.lmp) u.lmp = p.iso;
    }
    if (b.kind === "child" && mother.trim() !== (b.mother_name ?? "")) u.mother_name = mother.trim();
    // An identifier emptied is cleared.
    for (const f of ID_FIELDS) if (idChanged(f)) u[f] = ids[f].trim();
    setBusy(true);
    try {
      await onSave(u);
    } catch (e) {
      fe.fail(toApiError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Sheet title={t("common.edit")} onClose={onClose} dirty={dirty}>
      <form class="form" onSubmit={(e) => (e.preventDefault(), submit())}>
        <TextField label={b.kind === "child" ? t("child.name") : t("woman.name")} value={name} onInput={setName} testid="edit-name" error={fe.error("name")} />
        {b.kind === "child" && (
          <fieldset class="field" aria-invalid={fe.error("sex") ? "true" : "false"} aria-describedby={fe.error("sex") ? errorId("edit-sex") : undefined}>
            <div class="choice-row">
              {(["M", "F", "O"] as Sex[]).map((s) => (
                <button type="button" key={s} class={`choice ${sex === s ? "on" : ""}`} aria-pressed={sex === s} onClick={() => setSex(s)} data-testid={`edit-sex-${s}`}>
                  {t("sex." + s)}
                </button>
              ))}
            </div>
            <FieldError text={fe.error("sex")} id={errorId("edit-sex")} field="edit-sex" />
          </fieldset>
        )}
        <DateField label={b.kind === "child" ? t("child.dob") : t("woman.lmp")} value={date} onInput={setDate} testid="edit-date" today={today} optional error={fe.error(dateField)} />
        {b.kind === "child" && <TextField label={t("child.mother")} value={mother} onInput={setMother} testid="edit-mother" error={fe.error("mother_name")} />}
        {ID_FIELDS.map((f) => (
          <TextField
            key={f}
            label={t("member." + f)}
            value={ids[f]}
            onInput={(v) => setIds({ ...ids, [f]: v })}
            testid={`edit-${f.replace("_", "-")}`}
            inputMode={f === "uwin_id" ? "text" : "numeric"}
            maxLength={40}
            error={fe.error(f)}
          />
        ))}
        <ErrorBox error={fe.general} />
        <button type="submit" class="btn primary wide" disabled={busy} data-testid="edit-save">
          {t("common.save")}
        </button>
      </form>
    </Sheet>
  );
}

/** A refusal at home: the doses refused (every dose due now preselected, each can be unticked;
 * with none due, the next ones), the reasons that apply to this person, and a short note for
 * "other reason". */
function RefusalForm(props: { b: Beneficiary; err: ApiError | null; onClose: () => void; onSave: (reason: ReasonCode, codes?: DoseCode[], note?: string) => void }) {
  const { app } = useApp();
  const due = props.b.due.map((d) => d.code);
  const [dirty, setDirty] = useState(false);
  return (
    <Sheet title={t("member.refusal")} onClose={props.onClose} testid="refusal-sheet" dirty={dirty}>
      <ErrorBox error={props.err} />
      <NotGivenPicker
        onDirty={setDirty}
        kind={props.b.kind}
        doses={due}
        offered={app.refusal_reasons}
        testid="refusal"
        allowNone
        saveLabel={t("common.save")}
        question={t("member.refusal_reason")}
        onSave={(codes, reason, note) => props.onSave(reason, due.length ? codes : undefined, note)}
      />
    </Sheet>
  );
}
