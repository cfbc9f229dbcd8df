// The campaign (IMI rounds): the microplan's sites, the rounds with their calendar, and the
// round's plan day by day — each session with its carry kit, not held or moved, and the mop-up
// list on the round's last days. Supervisors and ANMs change the plan; an ASHA reads it.
import { useState } from "preact/hooks";
import { api, toApiError, type ApiError } from "../api";
import type { CalendarDay, Day, HraType, SiteRecord, NotHeldReason, PlanSession, Round, RoundPlanView, SiteType } from "../bindings";
import { useApp } from "../context";
import { doseName, kindName, reasonName, t } from "../i18n";
import { isoToDisplay, parseDisplayDate } from "../lib/dates";
import { isMopUpDay, km, tenthsOf } from "../lib/campaign";
import { CalendarStrip } from "../components/Campaign";
import { ConfirmBox, DateField, dateProblem, ErrorBox, FieldError, Loading, Sheet, Stepper, TextField } from "../components/ui";
import { DueChips } from "../components/MemberRow";
import { useLoad } from "./Survey";
import { KitSheet, StartSession, WastageList } from "./RoundSession";

type Part = "plan" | "rounds" | "sites";
const PARTS: Part[] = ["plan", "rounds", "sites"];
export const SITE_TYPES: SiteType[] = ["fixed", "outreach", "mobile"];
export const HRA_TYPES: HraType[] = ["none", "urban_slum", "nomadic", "brick_kiln", "construction_site", "riverine", "forest_tribal", "hilly", "other_migrant"];
const RI_DAYS: Day[] = ["mon", "tue", "wed", "thu", "fri", "sat"];
export const NOT_HELD: NotHeldReason[] = ["VACCINE_NOT_AVAILABLE", "ANM_ABSENT", "MOBILIZER_ABSENT", "HOLIDAY_DECLARED", "LAW_AND_ORDER", "WEATHER", "OTHER"];

/** Whether the signed-in worker plans (supervisors and ANMs; an ASHA reads the plan). */
export function usePlanner(): boolean {
  const { worker } = useApp();
  return !!worker && worker.role !== "asha";
}

export function RoundScreen() {
  const [part, setPart] = useState<Part>("plan");
  return (
    <div class="screen" data-screen="round">
      <div class="segmented" role="tablist">
        {PARTS.map((p) => (
          <button key={p} role="tab" aria-selected={part === p} class={part === p ? "on" : ""} onClick={() => setPart(p)} data-testid={`round-${p}`}>
            {t("round." + p)}
          </button>
        ))}
      </div>
      {part === "sites" && <Sites />}
      {part === "rounds" && <Rounds />}
      {part === "plan" && <Plan />}
    </div>
  );
}

// ----- sites -----

function Sites() {
  const planner = usePlanner();
  const { data, err, reload } = useLoad(() => api.sites(), []);
  const [editing, setEditing] = useState<SiteRecord | "new" | null>(null);
  return (
    <>
      <ErrorBox error={err} />
      {!data && !err && <Loading />}
      {planner && (
        <button class="btn primary wide" onClick={() => setEditing("new")} data-testid="site-add">
          {t("site.add")}
        </button>
      )}
      {data?.length === 0 && <p class="note">{t("site.none")}</p>}
      <ul class="list">
        {data?.map((s) => (
          <li key={s.site_id} class="member" data-testid="site" data-site-id={s.site_id}>
            <div class="row-title">
              {s.name} <span class="muted">· {s.site_id}</span>
            </div>
            <div class="row-sub">
              <span class="tag">{t("site_type." + s.type)}</span> {s.hra !== "none" && <span class="tag warn" data-testid="site-hra">{t("hra." + s.hra)}</span>}
            </div>
            <div class="row-sub">{s.villages.map((v) => v.name).join(", ")}</div>
            <div class="row-sub">
              {t("site.anm")}: {s.anm ? s.anm.name : <span class="tag warn">{t("site.anm_none")}</span>}
              {" · "}
              {s.mobilizers.length > 0 ? s.mobilizers.map((m) => m.name).join(", ") : <span class="tag warn">{t("site.mobilizers_none")}</span>}
            </div>
            {(s.distance_tenths_km != null || s.travel_minutes != null) && (
              <div class="row-sub muted">{t("site.km_min", { km: km(s.distance_tenths_km) || "—", min: s.travel_minutes ?? "—" })}</div>
            )}
            {planner && (
              <button class="btn-small" onClick={() => setEditing(s)} data-testid="site-edit">
                {t("common.edit")}
              </button>
            )}
          </li>
        ))}
      </ul>
      {editing && (
        <SiteForm
          site={editing === "new" ? null : editing}
          onDone={() => (setEditing(null), reload())}
          onCancel={() => setEditing(null)}
        />
      )}
    </>
  );
}

type Person = { name: string; phone: string };
const person = (c: { name: string; phone: string | null } | null | undefined): Person => ({ name: c?.name ?? "", phone: c?.phone ?? "" });
const contact = (p: Person) => (p.name.trim() ? { name: p.name.trim(), phone: p.phone.trim() || null } : null);

function SiteForm({ site, onDone, onCancel }: { site: SiteRecord | null; onDone: () => void; onCancel: () => void }) {
  const villages = useLoad(() => api.villages(), []);
  const [siteId, setSiteId] = useState(site?.site_id ?? "");
  const [name, setName] = useState(site?.name ?? "");
  const [chosen, setChosen] = useState<string[]>(site?.villages.map((v) => v.id) ?? []);
  const [type, setType] = useState<SiteType>(site?.type ?? "outreach");
  const [hra, setHra] = useState<HraType>(site?.hra ?? "none");
  const [anm, setAnm] = useState<Person>(person(site?.anm));
  const [mobs, setMobs] = useState<Person[]>(site && site.mobilizers.length > 0 ? site.mobilizers.map(person) : [person(null)]);
  const [avd, setAvd] = useState<Person>(person(site?.avd));
  const [dist, setDist] = useState(km(site?.distance_tenths_km));
  const [travel, setTravel] = useState(site?.travel_minutes != null ? String(site.travel_minutes) : "");
  const [riDay, setRiDay] = useState<Day | "">(site?.ri_day ?? "");
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [err, setErr] = useState<ApiError | null>(null);
  const dirty = !site && (siteId !== "" || name !== "");
  const toggle = (id: string) => setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id]));
  const save = async () => {
    const p: Record<string, string> = {};
    if (!siteId.trim()) p.site_id = t("common.required");
    if (!name.trim()) p.name = t("common.required");
    if (chosen.length === 0) p.villages = t("site.need_village");
    const tenths = tenthsOf(dist);
    if (tenths === undefined) p.distance = t("site.bad_number");
    const minutes = travel.trim() === "" ? null : /^\d{1,4}$/.test(travel.trim()) ? Number(travel.trim()) : undefined;
    if (minutes === undefined) p.travel = t("site.bad_number");
    setProblems(p);
    if (Object.keys(p).length > 0) return;
    setErr(null);
    try {
      await api.saveSite({
        site_id: siteId.trim(),
        new: !site,
        name: name.trim(),
        villages: chosen,
        type,
        hra,
        anm: contact(anm),
        mobilizers: mobs.map(contact).filter((c): c is { name: string; phone: string | null } => c !== null),
        avd: contact(avd),
        distance_tenths_km: tenths ?? null,
        travel_minutes: minutes ?? null,
        ri_day: riDay || null,
      });
      onDone();
    } catch (e) {
      const ae = toApiError(e);
      if (ae.field && ["site_id", "name", "villages"].includes(ae.field)) setProblems({ [ae.field]: "" });
      setErr(ae);
    }
  };
  return (
    <Sheet title={site ? t("site.edit") : t("site.add")} onClose={onCancel} testid="site-form" dirty={dirty}>
      <form class="form" onSubmit={(e) => (e.preventDefault(), save())}>
        {!site && <TextField label={t("site.id")} value={siteId} onInput={setSiteId} testid="site-id" error={problems.site_id} maxLength={40} />}
        <TextField label={t("site.name")} value={name} onInput={setName} testid="site-name" error={problems.name} />
        <fieldset class="field">
          <legend class="label">{t("site.villages")}</legend>
          <div class="choice-row">
            {villages.data?.map((v) => (
              <button type="button" key={v.id} class={`choice ${chosen.includes(v.id) ? "on" : ""}`} aria-pressed={chosen.includes(v.id)} onClick={() => toggle(v.id)} data-testid="site-village" data-id={v.id}>
                {v.name}
              </button>
            ))}
          </div>
          <FieldError text={problems.villages} field="site-village" />
        </fieldset>
        <fieldset class="field">
          <legend class="label">{t("site.type")}</legend>
          <div class="choice-row">
            {SITE_TYPES.map((x) => (
              <button type="button" key={x} class={`choice ${type === x ? "on" : ""}`} aria-pressed={type === x} onClick={() => setType(x)} data-testid={`site-type-${x}`}>
                {t("site_type." + x)}
              </button>
            ))}
          </div>
        </fieldset>
        <label class="field">
          <span class="label">{t("site.hra")}</span>
          <select value={hra} onChange={(e) => setHra(e.currentTarget.value as HraType)} data-testid="site-hra-select">
            {HRA_TYPES.map((h) => (
              <option key={h} value={h}>
                {t("hra." + h)}
              </option>
            ))}
          </select>
        </label>
        <PersonFields label={t("site.anm")} value={anm} onChange={setAnm} testid="site-anm" />
        <h3>{t("site.mobilizers")}</h3>
        {mobs.map((m, i) => (
          <PersonFields key={i} label={`${i + 1}.`} value={m} onChange={(p) => setMobs((ms) => ms.map((x, j) => (j === i ? p : x)))} testid={`site-mobilizer-${i}`} />
        ))}
        <button type="button" class="btn" onClick={() => setMobs((ms) => [...ms, person(null)])} data-testid="site-mobilizer-add">
          {t("site.mobilizer_add")}
        </button>
        <PersonFields label={t("site.avd")} value={avd} onChange={setAvd} testid="site-avd" />
        <TextField label={t("site.distance")} value={dist} onInput={setDist} testid="site-distance" inputMode="numeric" error={problems.distance} maxLength={6} />
        <TextField label={t("site.travel")} value={travel} onInput={setTravel} testid="site-travel" inputMode="numeric" error={problems.travel} maxLength={4} />
        <label class="field">
          <span class="label">{t("site.ri_day")}</span>
          <select value={riDay} onChange={(e) => setRiDay(e.currentTarget.value as Day | "")} data-testid="site-ri-day">
            <option value="">{t("site.ri_day_none")}</option>
            {RI_DAYS.map((d) => (
              <option key={d} value={d}>
                {t("wd." + d)}
              </option>
            ))}
          </select>
        </label>
        <ErrorBox error={err} />
        <button type="submit" class="btn primary wide" data-testid="site-save">
          {t("common.save")}
        </button>
      </form>
    </Sheet>
  );
}

function PersonFields({ label, value, onChange, testid }: { label: string; value: Person; onChange: (p: Person) => void; testid: string }) {
  return (
    <div class="card-group">
      <span class="label">{label}</span>
      <TextField label={t("site.person_name")} value={value.name} onInput={(name) => onChange({ ...value, name })} testid={`${testid}-name`} />
      <TextField label={t("site.phone")} value={value.phone} onInput={(phone) => onChange({ ...value, phone })} testid={`${testid}-phone`} type="tel" inputMode="tel" maxLength={20} />
    </div>
  );
}

// ----- rounds -----

function Rounds() {
  const planner = usePlanner();
  const { data, err, reload } = useLoad(() => api.rounds(), []);
  const [adding, setAdding] = useState(false);
  return (
    <>
      <ErrorBox error={err} />
      {!data && !err && <Loading />}
      {planner && (
        <button class="btn primary wide" onClick={() => setAdding(true)} data-testid="round-add">
          {t("round.add")}
        </button>
      )}
      {data?.length === 0 && <p class="note">{t("round.none")}</p>}
      {data?.map((r) => <RoundCard key={r.number} round={r} onChanged={reload} />)}
      {adding && <RoundForm next={(data?.length ?? 0) > 0 ? Math.max(...data!.map((r) => r.number)) + 1 : 1} onDone={() => (setAdding(false), reload())} onCancel={() => setAdding(false)} />}
    </>
  );
}

function RoundCard({ round, onChanged }: { round: Round; onChanged: () => void }) {
  const planner = usePlanner();
  const [asking, setAsking] = useState<CalendarDay | null>(null);
  const [wastage, setWastage] = useState(false);
  const [err, setErr] = useState<ApiError | null>(null);
  const w = round.calendar.working;
  const answer = async (d: CalendarDay) => {
    setAsking(null);
    setErr(null);
    try {
      await api.setRoundHoliday(round.number, d.date, d.kind !== "holiday");
      onChanged();
    } catch (e) {
      setErr(toApiError(e));
    }
  };
  return (
    <section class="card" data-testid="round" data-number={round.number}>
      <h2>{t("round.title", { n: round.number })}</h2>
      {w.length > 0 && <p class="muted">{t("round.days_from_to", { from: isoToDisplay(w[0]), to: isoToDisplay(w[w.length - 1]) })}</p>}
      <CalendarStrip days={round.calendar.days} onDay={planner ? (d) => (d.kind === "working" || d.kind === "holiday" ? setAsking(d) : undefined) : undefined} />
      {planner && <p class="muted small-note">{t("round.tap_day")}</p>}
      {!wastage ? (
        <button class="btn" onClick={() => setWastage(true)} data-testid="round-wastage-open">
          {t("vial.wastage")}
        </button>
      ) : (
        <RoundWastageView number={round.number} />
      )}
      <ErrorBox error={err} />
      {asking && (
        <ConfirmBox
          text={asking.kind === "holiday" ? t("round.undo_holiday", { date: isoToDisplay(asking.date) }) : `${t("round.declare_holiday", { date: isoToDisplay(asking.date) })} ${t("round.declare_help")}`}
          yes={asking.kind === "holiday" ? t("round.yes_working") : t("round.yes_holiday")}
          no={t("common.cancel")}
          onYes={() => answer(asking)}
          onNo={() => setAsking(null)}
          testid="holiday-confirm"
        />
      )}
    </section>
  );
}

/** The round's wastage per site, and over all its sites. */
function RoundWastageView({ number }: { number: number }) {
  const { data, err } = useLoad(() => api.roundWastage(number), [number]);
  return (
    <div data-testid="round-wastage">
      <ErrorBox error={err} />
      {!data && !err && <Loading />}
      {data && data.total.length === 0 && <p class="muted">{t("vial.none_opened")}</p>}
      {data && data.total.length > 0 && (
        <>
          <div data-testid="round-wastage-total">
            <WastageList rows={data.total} />
          </div>
          {data.sites.map((s) => (
            <div key={s.site_id} data-testid="round-wastage-site" data-site-id={s.site_id}>
              <h3>{s.name}</h3>
              <WastageList rows={s.wastage} />
            </div>
          ))}
        </>
      )}
    </div>
  );
}

function RoundForm({ next, onDone, onCancel }: { next: number; onDone: () => void; onCancel: () => void }) {
  const { today } = useApp();
  const [number, setNumber] = useState(next);
  const [start, setStart] = useState(isoToDisplay(today));
  const [days, setDays] = useState(7);
  const [ri, setRi] = useState<Day[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  const parsed = parseDisplayDate(start, { today, allowFuture: true });
  const startIso = parsed.ok ? parsed.iso : null;
  const preview = useLoad(
    () => (startIso && days > 0 ? api.roundCalendar({ start: startIso, working_days: days, ri_days: ri }) : Promise.resolve(null)),
    [startIso, days, ri.join(",")],
  );
  const save = async () => {
    if (!parsed.ok) return setProblem(dateProblem(parsed));
    setProblem(null);
    setErr(null);
    try {
      await api.addRound({ number, start: parsed.iso, working_days: days, ri_days: ri });
      onDone();
    } catch (e) {
      setErr(toApiError(e));
    }
  };
  return (
    <Sheet title={t("round.add")} onClose={onCancel} testid="round-form">
      <form class="form" onSubmit={(e) => (e.preventDefault(), save())}>
        <Stepper label={t("round.number")} value={number} onChange={(n) => setNumber(Math.max(1, n))} testid="round-number" />
        <DateField label={t("round.start")} value={start} onInput={setStart} testid="round-start" today={today} allowFuture error={problem} />
        <Stepper label={t("round.working_days")} value={days} onChange={(n) => setDays(Math.min(31, Math.max(1, n)))} testid="round-days" />
        <fieldset class="field">
          <legend class="label">{t("round.ri_days")}</legend>
          <div class="choice-row">
            {RI_DAYS.map((d) => (
              <button type="button" key={d} class={`choice ${ri.includes(d) ? "on" : ""}`} aria-pressed={ri.includes(d)} onClick={() => setRi((x) => (x.includes(d) ? x.filter((y) => y !== d) : [...x, d]))} data-testid={`round-ri-${d}`}>
                {t("wd." + d)}
              </button>
            ))}
          </div>
        </fieldset>
        <h3>{t("round.preview")}</h3>
        <ErrorBox error={preview.err} />
        {preview.data && <CalendarStrip days={preview.data.days} testid="round-preview" />}
        <ErrorBox error={err} />
        <button type="submit" class="btn primary wide" data-testid="round-save">
          {t("common.save")}
        </button>
      </form>
    </Sheet>
  );
}

// ----- the plan -----

type PlanSheet =
  | { k: "not_held"; s: PlanSession }
  | { k: "move"; s: PlanSession }
  | { k: "kit"; s: PlanSession }
  | { k: "mop_up"; s: { site_id: string; site_name: string; day: string } }
  | null;

function Plan() {
  const { today } = useApp();
  const planner = usePlanner();
  const rounds = useLoad(() => api.rounds(), []);
  const [chosen, setChosen] = useState<number | null>(null);
  const list = rounds.data ?? [];
  // The round of today if there is one, else the latest.
  const current = list.find((r) => r.calendar.days.some((d) => d.date === today)) ?? list[list.length - 1];
  const number = chosen ?? current?.number ?? null;
  const plan = useLoad<RoundPlanView | null>(() => (number ? api.roundPlan(number) : Promise.resolve(null)), [number]);
  const [day, setDay] = useState<string | null>(null);
  const [sheet, setSheet] = useState<PlanSheet>(null);
  const [override, setOverride] = useState<RoundPlanView | null>(null);
  const view = override && override.round.number === number ? override : plan.data;
  if (rounds.err) return <ErrorBox error={rounds.err} />;
  if (!rounds.data) return <Loading />;
  if (list.length === 0) return <p class="note">{t("round.none")}</p>;
  const working = view?.round.calendar.working ?? [];
  const shownDay = day && working.includes(day) ? day : working.includes(today) ? today : working[0] ?? null;
  const sessions = (view?.sessions ?? []).filter((s) => s.day === shownDay);
  const mopUp = shownDay !== null && isMopUpDay(working, shownDay);
  return (
    <>
      {list.length > 1 && (
        <label class="field">
          <span class="label">{t("plan.choose_round")}</span>
          <select value={String(number)} onChange={(e) => (setChosen(Number(e.currentTarget.value)), setDay(null))} data-testid="plan-round">
            {list.map((r) => (
              <option key={r.number} value={r.number}>
                {t("round.title", { n: r.number })}
              </option>
            ))}
          </select>
        </label>
      )}
      <ErrorBox error={plan.err} />
      {!view && !plan.err && <Loading />}
      {view && (
        <>
          <CalendarStrip days={view.round.calendar.days} selected={shownDay} onDay={(d) => d.kind === "working" && setDay(d.date)} testid="plan-calendar" />
          {view.problems.map((p, i) => (
            <p key={i} class="note warn" data-testid="plan-problem" data-code={p.code}>
              {p.code === "NO_ANM" ? t("plan.no_anm", { site: p.site_id }) : t("plan.anm_overbooked", { anm: p.anm, sessions: p.sessions, days: p.days })}
            </p>
          ))}
          {shownDay && (
            <h2 data-testid="plan-day" data-date={shownDay}>
              {t("plan.day", { n: working.indexOf(shownDay) + 1, date: isoToDisplay(shownDay) })} · {t(sessions.length === 1 ? "plan.sessions_n.one" : "plan.sessions_n", { n: sessions.length })}
            </h2>
          )}
          {sessions.length === 0 && !mopUp && <p class="muted">{t("plan.no_sessions")}</p>}
          <ul class="list">
            {sessions.map((s) => (
              <li key={s.site_id + s.day} class={`plan-session ${s.not_held ? "not-held" : ""}`} data-testid="plan-session" data-site-id={s.site_id} data-day={s.day}>
                <div class="row-title">{s.site_name}</div>
                <div class="row-sub">
                  <b data-testid="plan-expected">{t("plan.expected", { n: s.expected })}</b> · {t("plan.injections", { n: s.injections })}
                </div>
                {s.not_held && (
                  <div class="tag warn" data-testid="plan-not-held" data-reason={s.not_held}>
                    {t("plan.not_held", { reason: t("notheld." + s.not_held) })}
                    {s.note ? ` · ${s.note}` : ""}
                  </div>
                )}
                {s.moved_from && <div class="tag" data-testid="plan-moved">{t("plan.moved_from", { date: isoToDisplay(s.moved_from) })}</div>}
                <div class="actions">
                  <button class="btn" onClick={() => setSheet({ k: "kit", s })} data-testid="plan-kit">
                    {t("plan.kit")}
                  </button>
                  {planner && !s.not_held && <StartSession siteId={s.site_id} date={s.day} />}
                  {planner && !s.not_held && (
                    <button class="btn" onClick={() => setSheet({ k: "not_held", s })} data-testid="plan-not-held-open">
                      {t("plan.mark_not_held")}
                    </button>
                  )}
                  {planner && (
                    <button class="btn" onClick={() => setSheet({ k: "move", s })} data-testid="plan-move">
                      {t("plan.move")}
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
          {mopUp && shownDay && (
            <section class="card" data-testid="mop-up">
              <h2>{t("plan.mop_up")}</h2>
              <p class="note">{t("plan.last_days")}</p>
              <ul class="list">
                {view.sites
                  .filter((x) => x.sessions > 0)
                  .map((x) => (
                    <li key={x.site_id} class="plan-session" data-testid="mop-up-site" data-site-id={x.site_id}>
                      <div class="row-title">{x.name}</div>
                      <div class="actions">
                        <button class="btn" onClick={() => setSheet({ k: "mop_up", s: { site_id: x.site_id, site_name: x.name, day: shownDay } })} data-testid="plan-mop-up">
                          {t("plan.mop_up")}
                        </button>
                        {planner && <StartSession siteId={x.site_id} date={shownDay} />}
                      </div>
                    </li>
                  ))}
              </ul>
            </section>
          )}
          {sheet?.k === "not_held" && number && (
            <NotHeldSheet number={number} s={sheet.s} onDone={(p) => (setOverride(p), setSheet(null))} onCancel={() => setSheet(null)} />
          )}
          {sheet?.k === "move" && number && (
            <MoveSheet number={number} s={sheet.s} days={working} onDone={(p, to) => (setOverride(p), setDay(to), setSheet(null))} onCancel={() => setSheet(null)} />
          )}
          {sheet?.k === "kit" && <KitSheet siteId={sheet.s.site_id} siteName={sheet.s.site_name} date={sheet.s.day} onClose={() => setSheet(null)} />}
          {sheet?.k === "mop_up" && number && <MopUpSheet number={number} s={sheet.s} onClose={() => setSheet(null)} />}
        </>
      )}
    </>
  );
}

function NotHeldSheet({ number, s, onDone, onCancel }: { number: number; s: PlanSession; onDone: (p: RoundPlanView) => void; onCancel: () => void }) {
  const [reason, setReason] = useState<NotHeldReason | null>(null);
  const [note, setNote] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  const save = async () => {
    if (!reason) return;
    if (reason === "OTHER" && !note.trim()) return setProblem(t("common.required"));
    setProblem(null);
    try {
      onDone(await api.sessionNotHeld({ number, site_id: s.site_id, date: s.day, reason, note: note.trim() || null }));
    } catch (e) {
      setErr(toApiError(e));
    }
  };
  return (
    <Sheet title={`${s.site_name} · ${isoToDisplay(s.day)}`} onClose={onCancel} testid="not-held-sheet">
      <h3>{t("plan.why_not_held")}</h3>
      <div class="choice-col">
        {NOT_HELD.map((r) => (
          <button key={r} type="button" class={`choice ${reason === r ? "on" : ""}`} aria-pressed={reason === r} onClick={() => setReason(r)} data-testid={`not-held-${r}`}>
            {t("notheld." + r)}
          </button>
        ))}
      </div>
      {reason === "OTHER" && <TextField label={t("plan.note")} value={note} onInput={setNote} testid="not-held-note" error={problem} maxLength={100} />}
      <ErrorBox error={err} />
      <button class="btn primary wide" disabled={!reason} onClick={save} data-testid="not-held-save">
        {t("common.save")}
      </button>
    </Sheet>
  );
}

function MoveSheet({ number, s, days, onDone, onCancel }: { number: number; s: PlanSession; days: string[]; onDone: (p: RoundPlanView, to: string) => void; onCancel: () => void }) {
  const [err, setErr] = useState<ApiError | null>(null);
  const move = async (to: string) => {
    try {
      onDone(await api.rescheduleSession({ number, site_id: s.site_id, date: s.day, to }), to);
    } catch (e) {
      setErr(toApiError(e));
    }
  };
  return (
    <Sheet title={`${s.site_name} · ${isoToDisplay(s.day)}`} onClose={onCancel} testid="move-sheet">
      <h3>{t("plan.move_to")}</h3>
      <div class="choice-col">
        {days
          .filter((d) => d !== s.day)
          .map((d) => (
            <button key={d} type="button" class="choice" onClick={() => move(d)} data-testid="move-to" data-date={d}>
              {t("plan.day", { n: days.indexOf(d) + 1, date: isoToDisplay(d) })}
            </button>
          ))}
      </div>
      <ErrorBox error={err} />
    </Sheet>
  );
}

function MopUpSheet({ number, s, onClose }: { number: number; s: { site_id: string; site_name: string; day: string }; onClose: () => void }) {
  const { data, err } = useLoad(() => api.mopUp(number, s.site_id, s.day), [number, s.site_id, s.day]);
  return (
    <Sheet title={t("mopup.title", { site: s.site_name, date: isoToDisplay(s.day) })} onClose={onClose} testid="mop-up-sheet">
      <ErrorBox error={err} />
      {!data && !err && <Loading />}
      {data && <p data-testid="mop-up-count">{data.items.length === 0 ? t("mopup.none") : t(data.items.length === 1 ? "mopup.n.one" : "mopup.n", { n: data.items.length })}</p>}
      <ul class="list">
        {data?.items.map((i) => (
          <li key={i.register_id} class="member" data-testid="mop-up-item" data-register-id={i.register_id}>
            <div class="row-title">
              {i.name} <span class="muted">· {kindName(i.kind)} · {i.village}</span>
            </div>
            <DueChips due={i.doses} />
            {i.last_not_given && (
              <div class="row-sub" data-testid="mop-up-last">
                {t("mopup.last", { reason: reasonName(i.last_not_given.reason), date: isoToDisplay(i.last_not_given.date) })} · {doseName(i.last_not_given.code)}
              </div>
            )}
          </li>
        ))}
      </ul>
    </Sheet>
  );
}

