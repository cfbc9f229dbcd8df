import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { api, toApiError, type ApiError } from "../api";
import type { AefiRecord, AefiSeverity as Severity, AefiSign, Antigen, DoseCode, ReasonCode, Referral, SessionLedger, SessionRecord as Session, SessionItem, Tally, Village, Warning } from "../bindings";
import { useApp } from "../context";
import { antigenName, doseName, kindName, reasonName, t, warningText } from "../i18n";
import { AEFI_SIGNS, REFERRALS, knownSigns, minimumSeverity, needsReferral, onsetInstant, onsetParts, parseTime, severityAllowed } from "../lib/aefi";
import { SEVERITIES } from "../lib/codes";
import { isoToDisplay, parseDisplayDate } from "../lib/dates";
import { clampVials, tallyByAntigen, totalDoses, totalNotGiven, vialAntigens } from "../lib/tally";
import { grow, matchesName } from "../lib/text";
import { Badge, DateField, dateProblem, ErrorBox, FieldError, Loading, Sheet, Stepper } from "../components/ui";
import { useLoad } from "./Survey";
import { personAge } from "../lib/age";
import { WalkIn } from "../components/WalkIn";
import { NotGivenPicker } from "../components/NotGivenPicker";
import { LedgerCloseForm, VialLedger } from "./RoundSession";

export function SessionScreen() {
  const { shown } = useApp();
  const [session, setSession] = useState<Session | null>(null);
  const [resumed, setResumed] = useState(false);
  // A session another tab asked for (the round plan's "Start session").
  useEffect(() => {
    if (!shown) return;
    let live = true;
    api.sessions().then(
      (all) => {
        const s = all.find((x) => x.id === shown.id);
        if (live && s) (setSession(s), setResumed(false));
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [shown?.n]);
  const leave = () => (setSession(null), setResumed(false));
  return (
    <div class="screen" data-screen="session">
      {session ? (
        <SessionView session={session} resumed={resumed} setSession={setSession} onLeave={leave} />
      ) : (
        <OpenSession onOpen={(s, r) => (setSession(s), setResumed(r))} />
      )}
    </div>
  );
}

function OpenSession({ onOpen }: { onOpen: (s: Session, resumed: boolean) => void }) {
  const { today } = useApp();
  const villages = useLoad<Village[]>(() => api.villages(), []);
  const recent = useLoad<Session[]>(() => api.sessions(), []);
  const [site, setSite] = useState("");
  const [date, setDate] = useState(isoToDisplay(today));
  const [problem, setProblem] = useState<string | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  const siteId = site || villages.data?.[0]?.id || "";
  const open = async () => {
    const site = siteId;
    if (!site) return setProblem(t("common.required"));
    const p = parseDisplayDate(date, { today, allowFuture: true });
    if (!p.ok) return setProblem(dateProblem(p));
    if (p.iso > today) return setProblem(t("session.future"));
    setProblem(null);
    setErr(null);
    try {
      const { resumed, ...opened } = await api.openSession(site, p.iso);
      onOpen(opened, resumed);
    } catch (e) {
      setErr(toApiError(e));
    }
  };
  return (
    <>
      <h1>{t("session.title")}</h1>
      <ErrorBox error={villages.err} />
      {!villages.data && !villages.err && <Loading />}
      {villages.data?.length === 0 && <p class="note">{t("session.no_sites")}</p>}
      <form class="form" onSubmit={(e) => (e.preventDefault(), open())}>
        <label class="field">
          <span class="label">{t("session.site")}</span>
          <select value={siteId} onChange={(e) => setSite(e.currentTarget.value)} data-testid="session-site">
            {villages.data?.map((v) => (
              <option key={v.id} value={v.id}>
                {v.name}
              </option>
            ))}
          </select>
        </label>
        <DateField label={t("session.date")} value={date} onInput={setDate} testid="session-date" today={today} allowFuture />
        <FieldError text={problem} />
        <ErrorBox error={err} />
        <button type="submit" class="btn primary wide" disabled={!villages.data} data-testid="session-open">
          {t("session.open")}
        </button>
      </form>
      {recent.data && recent.data.length > 0 && (
        <>
          <h2>{t("session.recent")}</h2>
          <ul class="list">
            {recent.data.slice(0, 10).map((s) => (
              <li key={s.id}>
                <button class="row-btn" onClick={() => onOpen(s, false)} data-testid="session-recent" data-session-id={s.id}>
                  <span class="row-title">{s.site}</span>
                  <span class="row-sub">
                    {isoToDisplay(s.date)} · {s.closed ? t("session.closed") : t("session.open_state")}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

type Sheet2 = { k: "not_given"; item: SessionItem; codes: DoseCode[] } | { k: "aefi"; item: SessionItem } | { k: "close" } | { k: "tally" } | null;

/** The doses of an item the session has not recorded yet (neither given nor not given). */
const openDoses = (item: SessionItem): DoseCode[] => {
  const done = new Set<DoseCode>([...(item.given ?? []), ...(item.not_given ?? []).map((n) => n.code)]);
  return item.doses.map((d) => d.code).filter((c) => !done.has(c));
};

function SessionView({ session, resumed, setSession, onLeave }: { session: Session; resumed: boolean; setSession: (s: Session) => void; onLeave: () => void }) {
  const { app, dataVersion, worker } = useApp();
  const [items, setItems] = useState<SessionItem[] | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  const [tally, setTally] = useState<Tally | null>(null);
  const [filter, setFilter] = useState("");
  const [shown, setShown] = useState(60);
  const [sel, setSel] = useState<Record<string, Set<DoseCode>>>({});
  const [rowErr, setRowErr] = useState<{ rid: string; e: ApiError } | null>(null);
  const [sheet, setSheet] = useState<Sheet2>(null);
  const [warnings, setWarnings] = useState<Warning[]>([]);
  const received = useRef(0);
  const measured = useRef(false);
  const sentinel = useRef<HTMLDivElement>(null);
  // Walk-ins added at this session stay on its list even with nothing due.
  const walkIns = useRef<SessionItem[]>([]);
  const [walkIn, setWalkIn] = useState(false);

  const loadTally = () => api.sessionTally(session.id).then(setTally, () => {});
  // The vial ledger (a session at a microplan site, or one with vials opened).
  const [ledger, setLedger] = useState<SessionLedger | null>(null);
  useEffect(() => {
    let live = true;
    api.sessionLedger(session.id).then((l) => live && setLedger(l ?? null), () => {});
    return () => {
      live = false;
    };
  }, [session.id, session.closed, dataVersion]);
  const withLedger = !!ledger && (ledger.session.site_id !== null || ledger.vials.length > 0);
  const asked = useRef(0);
  useEffect(() => {
    let live = true;
    asked.current = performance.now();
    api.sessionDue(session.id).then(
      (d) => {
        if (!live) return;
        received.current = performance.now();
        setItems([...walkIns.current.filter((w) => !d.some((x) => x.register_id === w.register_id)), ...d]);
        setErr(null);
      },
      (e) => live && setErr(toApiError(e)),
    );
    loadTally();
    return () => {
      live = false;
    };
  }, [session.id, dataVersion]);

  // Measure data → paint of the first render of the due list.
  useLayoutEffect(() => {
    if (!items || measured.current) return;
    measured.current = true;
    const t0 = received.current;
    const asked0 = asked.current;
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        const now = performance.now();
        const ms = now - t0;
        document.body.dataset.dueListMs = ms.toFixed(1);
        // From asking the core (the command's work and the IPC included) to the paint.
        document.body.dataset.dueListTotalMs = (now - asked0).toFixed(1);
        console.info(`due list: ${items.length} people painted ${ms.toFixed(1)} ms after the data arrived, ${(now - asked0).toFixed(1)} ms after asking`);
      }),
    );
  }, [items]);

  // The name filter finds across scripts too ("priya" finds प्रिया): the core's search, within the
  // session's village, adds whom it finds to the plain match as typed.
  const [found, setFound] = useState<{ text: string; ids: Set<string> } | null>(null);
  useEffect(() => {
    const text = filter.trim();
    if (!text) return;
    let live = true;
    const timer = setTimeout(() => {
      api.search(text, session.site_id).then(
        (rs) => live && setFound({ text, ids: new Set(rs.map((r) => r.register_id)) }),
        () => {},
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [filter, session.site_id]);
  // What the core found for the text as it is now (never for what was typed before).
  const foundNow = found && found.text === filter.trim() ? found.ids : null;
  const visible = items ? items.filter((i) => matchesName(i, filter) || !!foundNow?.has(i.register_id)) : [];
  // Grow the rendered rows when the end of the list comes into view.
  useEffect(() => {
    const el = sentinel.current;
    if (!el || typeof IntersectionObserver === "undefined") return;
    const io = new IntersectionObserver((es) => {
      if (es.some((e) => e.isIntersecting)) setShown((s) => grow(s, visible.length));
    }, { rootMargin: "600px" });
    io.observe(el);
    return () => io.disconnect();
  }, [visible.length, shown]);

  const replace = (item: SessionItem) => setItems((xs) => (xs ? xs.map((x) => (x.register_id === item.register_id ? item : x)) : xs));
  const toggle = (rid: string, code: DoseCode) =>
    setSel((s) => {
      const n = new Set(s[rid] ?? []);
      n.has(code) ? n.delete(code) : n.add(code);
      return { ...s, [rid]: n };
    });
  const record = (item: SessionItem, codes: DoseCode[], f: (codes: DoseCode[]) => Promise<{ item: SessionItem; warnings: Warning[] }>) => {
    if (!codes.length) return setRowErr({ rid: item.register_id, e: { code: "CHOOSE", message: "" } });
    return apply(item, () => f(codes));
  };
  // One record at a time: a second tap while the first is being saved records nothing twice.
  const inFlight = useRef(false);
  const apply = async (item: SessionItem, f: () => Promise<{ item: SessionItem; warnings: Warning[] }>) => {
    if (inFlight.current) return;
    inFlight.current = true;
    setRowErr(null);
    try {
      const r = await f();
      replace(r.item);
      setWarnings(r.warnings);
      setSel((s) => ({ ...s, [item.register_id]: new Set() }));
      setSheet(null);
      loadTally();
    } catch (e) {
      const ae = toApiError(e);
      setRowErr({ rid: item.register_id, e: ae });
      if (ae.code === "SESSION_CLOSED") setSession({ ...session, closed: true });
    } finally {
      inFlight.current = false;
    }
  };
  // All the open doses preselected (or those tapped first); each can be unticked in the sheet.
  const notGiven = (item: SessionItem) => {
    const open = openDoses(item);
    const tapped = open.filter((c) => sel[item.register_id]?.has(c));
    setRowErr(null);
    setSheet({ k: "not_given", item, codes: tapped.length ? tapped : open });
  };
  // A refusal entered by mistake is undone while the session is open (a correction event).
  const undo = (item: SessionItem) => apply(item, () => api.undoNotGiven(session.id, item.register_id));

  const byAntigen = tallyByAntigen(tally, app.antigens);
  return (
    <>
      <div class="head">
        <div>
          <h1>{ledger?.session.site ?? session.site}</h1>
          <p class="muted">
            {isoToDisplay(session.date)} · {session.closed ? t("session.closed") : t("session.open_state")} · {items ? t("session.people_n", { n: items.length }) : ""}
          </p>
        </div>
        <button class="btn-small" onClick={onLeave} data-testid="session-change">
          {t("session.change")}
        </button>
      </div>
      {resumed && !session.closed && <p class="note" data-testid="session-resumed">{t("session.resumed")}</p>}
      {session.closed && <p class="note" data-testid="session-closed">{t("session.closed_note")}</p>}
      <button class="tally-strip" onClick={() => setSheet({ k: "tally" })} data-testid="tally-open">
        <strong>{t("session.tally")}:</strong> {t("session.tally_total", { n: totalDoses(tally) })} · {t("session.tally_people", { n: tally?.beneficiaries ?? 0 })}
      </button>
      {withLedger && worker?.role !== "asha" && <VialLedger session={session} ledger={ledger} setLedger={setLedger} />}
      <input type="search" placeholder={t("session.filter")} aria-label={t("session.filter")} value={filter} onInput={(e) => (setFilter(e.currentTarget.value), setShown(60))} data-testid="session-filter" />
      <ErrorBox error={err} />
      {warnings.length > 0 && <div class="note" data-testid="warnings">{t("common.warnings")} {warnings.map(warningText).join(" ")}</div>}
      {!items && !err && <Loading />}
      <ul class="list due-list" data-testid="due-list">
        {visible.slice(0, shown).map((item) => (
          <DueRow
            key={item.register_id}
            item={item}
            sel={sel[item.register_id]}
            toggle={toggle}
            err={rowErr?.rid === item.register_id ? rowErr.e : null}
            closed={session.closed}
            onGive={() => record(item, [...(sel[item.register_id] ?? [])], (codes) => api.recordGiven(session.id, item.register_id, codes))}
            onNotGiven={() => notGiven(item)}
            onUndo={() => undo(item)}
            onAefi={() => setSheet({ k: "aefi", item })}
          />
        ))}
      </ul>
      {shown < visible.length && (
        <div ref={sentinel}>
          <button class="btn wide" onClick={() => setShown(grow(shown, visible.length))} data-testid="due-more">
            {t("session.more")}
          </button>
        </div>
      )}
      {!session.closed && (
        <button class="btn wide" onClick={() => setWalkIn(true)} data-testid="walk-in-open">
          {t("session.walk_in")}
        </button>
      )}
      {walkIn && (
        <WalkIn
          session={session}
          onClose={() => setWalkIn(false)}
          onAdded={(item) => {
            walkIns.current = [item, ...walkIns.current.filter((w) => w.register_id !== item.register_id)];
            setItems((xs) => [item, ...(xs ?? []).filter((x) => x.register_id !== item.register_id)]);
            setFilter("");
            setWalkIn(false);
          }}
        />
      )}
      {!session.closed && (
        <button class="btn danger wide" onClick={() => setSheet({ k: "close" })} data-testid="close-session">
          {t("session.close")}
        </button>
      )}
      {sheet?.k === "tally" && (
        <Sheet title={t("session.tally")} onClose={() => setSheet(null)}>
          <TallyView tally={tally} byAntigen={byAntigen} />
        </Sheet>
      )}
      {sheet?.k === "not_given" && (
        <NotGivenForm
          item={sheet.item}
          preselected={sheet.codes}
          offered={app.reasons}
          err={rowErr?.rid === sheet.item.register_id ? rowErr.e : null}
          onClose={() => setSheet(null)}
          onSave={(codes, reason, note) => record(sheet.item, codes, (cs) => api.recordNotGiven(session.id, sheet.item.register_id, cs, reason, note))}
        />
      )}
      {sheet?.k === "aefi" && <AefiForm item={sheet.item} session={session} onDone={() => (setSheet(null), loadTally())} onClose={() => setSheet(null)} />}
      {sheet?.k === "close" && withLedger && ledger && (
        <LedgerCloseForm session={session} ledger={ledger} setLedger={setLedger} onClose={() => setSheet(null)} onDone={(s) => (setSession(s), setSheet(null))} />
      )}
      {sheet?.k === "close" && !withLedger && (
        <CloseForm
          session={session}
          given={totalDoses(tally)}
          antigens={[...new Set([...vialAntigens(tally, app.antigens), ...app.antigens.filter((a) => a !== "VITA")])]}
          onClose={() => setSheet(null)}
          onDone={(s) => (setSession(s), setSheet(null))}
        />
      )}
      <TallyInline byAntigen={byAntigen} />
    </>
  );
}

function RowError({ e }: { e: ApiError | null }) {
  if (!e) return null;
  if (e.code === "CHOOSE") return <FieldError text={t("session.choose_doses")} />;
  return <ErrorBox error={e} />;
}

function DueRow(props: {
  item: SessionItem;
  sel: Set<DoseCode> | undefined;
  toggle: (rid: string, code: DoseCode) => void;
  err: ApiError | null;
  closed: boolean;
  onGive: () => void;
  onNotGiven: () => void;
  onUndo: () => void;
  onAefi: () => void;
}) {
  const { item } = props;
  const given = new Set(item.given ?? []);
  const notGiven = new Map((item.not_given ?? []).map((n) => [n.code, n.reason]));
  const open = item.doses.filter((d) => !given.has(d.code) && !notGiven.has(d.code));
  const done = open.length === 0 && (given.size > 0 || notGiven.size > 0);
  return (
    <li class={`session-item ${done ? "done" : ""}`} data-testid="session-item" data-register-id={item.register_id} data-done={done ? "yes" : "no"}>
      <div class="row-title">
        {item.name} <span class="muted">· {kindName(item.kind, item.sex)}</span> <Badge c={item.classification} due={item.doses} />
      </div>
      <div class="muted" data-testid="age">{personAge(item)}</div>
      <div class="chips">
        {item.doses.map((d) => {
          const g = given.has(d.code);
          const ng = notGiven.has(d.code);
          const on = props.sel?.has(d.code) ?? false;
          return (
            <button
              key={d.code}
              class={`chip ${d.status} ${on ? "on" : ""} ${g ? "given" : ""} ${ng ? "not-given" : ""}`}
              aria-pressed={on}
              disabled={g || ng || props.closed}
              onClick={() => props.toggle(item.register_id, d.code)}
              data-testid={`chip-${d.code}`}
              data-status={g ? "given" : ng ? "not_given" : d.status}
            >
              {g && "✓ "}
              {doseName(d.code)}
              {d.status === "overdue" && !g && !ng ? ` · ${t("due.overdue")}` : ""}
              {ng ? ` · ${reasonName(notGiven.get(d.code)!)}` : ""}
            </button>
          );
        })}
      </div>
      {given.size > 0 && <div class="muted">{t("session.given_codes", { codes: [...given].map(doseName).join(", ") })}</div>}
      <RowError e={props.err} />
      <div class="row-actions">
        {open.length > 0 && !props.closed && (
          <>
            <button class="btn primary" onClick={props.onGive} data-testid="give">
              {t("session.give")}
            </button>
            <button class="btn" onClick={props.onNotGiven} data-testid="not-given">
              {t("session.not_given")}
            </button>
          </>
        )}
        {notGiven.size > 0 && !props.closed && (
          <button class="btn" onClick={props.onUndo} data-testid="undo-not-given">
            {t("session.undo_not_given")}
          </button>
        )}
        <button class="btn" onClick={props.onAefi} data-testid="aefi">
          {t("aefi.button")}
        </button>
      </div>
    </li>
  );
}

function TallyInline({ byAntigen }: { byAntigen: { antigen: string; doses: number }[] }) {
  return (
    <div class="tally" data-testid="tally">
      {byAntigen.map((a) => (
        <div key={a.antigen} class="tally-cell">
          <span class="tally-name">{antigenName(a.antigen)}</span>
          <span class="tally-n" data-testid={`tally-${a.antigen}`}>
            {a.doses}
          </span>
        </div>
      ))}
    </div>
  );
}

function TallyView({ tally, byAntigen }: { tally: Tally | null; byAntigen: { antigen: string; doses: number }[] }) {
  const max = Math.max(1, ...byAntigen.map((a) => a.doses));
  return (
    <div data-testid="tally-detail">
      <p>
        {t("session.tally_total", { n: totalDoses(tally) })} · {t("session.tally_people", { n: tally?.beneficiaries ?? 0 })} · {t("session.tally_not_given", { n: totalNotGiven(tally) })}
      </p>
      <div class="bars">
        {byAntigen.map((a) => (
          <div key={a.antigen} class="bar-row">
            <span class="bar-label">{antigenName(a.antigen)}</span>
            <span class="bar-track">
              <span class="bar-fill" style={{ width: `${(a.doses / max) * 100}%` }} />
            </span>
            <span class="bar-n">{a.doses}</span>
          </div>
        ))}
      </div>
      {tally && tally.not_given.length > 0 && (
        <ul class="plain">
          {tally.not_given.map((n) => (
            <li key={n.reason}>
              {reasonName(n.reason)}: {n.count}
            </li>
          ))}
        </ul>
      )}
      {tally && <p>{t("session.aefi_counts", { a: tally.aefi.minor, b: tally.aefi.severe, c: tally.aefi.serious })}</p>}
    </div>
  );
}

/** What was not given, and why: the doses (all open ones preselected, each can be unticked), the
 * reasons that apply to this person, and a short note for "other reason". */
function NotGivenForm(props: {
  item: SessionItem;
  preselected: DoseCode[];
  offered: ReasonCode[];
  err: ApiError | null;
  onClose: () => void;
  onSave: (codes: DoseCode[], reason: ReasonCode, note?: string) => void;
}) {
  const { item } = props;
  const [dirty, setDirty] = useState(false);
  return (
    <Sheet title={`${item.name}: ${t("session.not_given")}`} onClose={props.onClose} testid="not-given-sheet" dirty={dirty}>
      <NotGivenPicker
        onDirty={setDirty}
        kind={item.kind}
        doses={openDoses(item)}
        preselected={props.preselected}
        offered={props.offered}
        testid="ng"
        saveLabel={t("session.save_not_given")}
        onSave={props.onSave}
      />
      <RowError e={props.err} />
    </Sheet>
  );
}

/** The AEFI form: reopened with what this session saved for the person, if anything. */
function AefiForm({ item, session, onDone, onClose }: { item: SessionItem; session: Session; onDone: () => void; onClose: () => void }) {
  const [saved, setSaved] = useState<AefiRecord | null | undefined>(undefined);
  const [dirty, setDirty] = useState(false);
  const [err, setErr] = useState<ApiError | null>(null);
  useEffect(() => {
    let live = true;
    api.beneficiary(item.register_id).then(
      (b) => live && setSaved(b.aefi.filter((a) => a.session_id === session.id).at(-1) ?? null),
      (e) => live && (setErr(toApiError(e)), setSaved(null)),
    );
    return () => {
      live = false;
    };
  }, [item.register_id, session.id]);
  return (
    <Sheet title={`${t("aefi.title")}: ${item.name}`} onClose={onClose} testid="aefi-sheet" dirty={dirty}>
      <ErrorBox error={err} />
      {saved === undefined ? <Loading /> : <AefiFields item={item} session={session} saved={saved} onDone={onDone} onDirty={setDirty} />}
    </Sheet>
  );
}

function AefiFields({ item, session, saved, onDone, onDirty }: { item: SessionItem; session: Session; saved: AefiRecord | null; onDone: () => void; onDirty: (dirty: boolean) => void }) {
  const { today } = useApp();
  const at = saved?.onset ? onsetParts(saved.onset) : null;
  const [severity, setSeverity] = useState<Severity | null>(saved?.severity ?? null);
  const [signs, setSigns] = useState<AefiSign[]>(saved ? knownSigns(saved.signs) : []);
  const [text, setText] = useState(saved?.observed ?? "");
  const candidates = [...new Set([...(saved?.codes ?? []), ...(item.given ?? []), ...item.doses.map((d) => d.code)])];
  const [codes, setCodes] = useState<DoseCode[]>(saved?.codes ?? item.given ?? []);
  const [onsetDate, setOnsetDate] = useState(isoToDisplay(at?.date ?? today));
  const [onsetTime, setOnsetTime] = useState(at?.time ?? "");
  const [referral, setReferral] = useState<Referral | null>(saved?.referral ?? null);
  // Going back from a form changed since it opened asks first (the Sheet's question).
  const changed =
    severity !== (saved?.severity ?? null) ||
    signs.join() !== (saved ? knownSigns(saved.signs) : []).join() ||
    text !== (saved?.observed ?? "") ||
    onsetTime !== (at?.time ?? "") ||
    referral !== (saved?.referral ?? null);
  useEffect(() => onDirty(changed), [changed]);
  const [problem, setProblem] = useState<string | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  const flip = <T,>(xs: T[], x: T) => (xs.includes(x) ? xs.filter((y) => y !== x) : [...xs, x]);
  const tick = (s: AefiSign) => {
    const next = flip(signs, s);
    setSigns(next);
    // A danger sign makes it serious: preselected, the lower choices disabled.
    if (minimumSeverity(next) === "serious") setSeverity("serious");
  };
  const danger = minimumSeverity(signs) === "serious";
  const [busy, setBusy] = useState(false);
  const inFlight = useRef(false);
  const save = async () => {
    if (inFlight.current) return;
    if (!severity || (!signs.length && !text.trim())) return setProblem(t("common.required"));
    let onset = saved?.onset ?? null;
    if (needsReferral(severity)) {
      const d = parseDisplayDate(onsetDate, { today });
      if (!d.ok) return setProblem(dateProblem(d));
      if (!parseTime(onsetTime)) return setProblem(t("aefi.bad_time"));
      onset = onsetInstant(d.iso, onsetTime);
      if (!referral) return setProblem(t("aefi.choose_referral"));
    }
    setProblem(null);
    const form = { severity, observed: text.trim(), codes, signs, onset, referral };
    inFlight.current = true;
    setBusy(true);
    try {
      if (saved) await api.updateAefi({ aefi_id: saved.id, ...form });
      else await api.reportAefi({ session_id: session.id, register_id: item.register_id, ...form });
      onDone();
    } catch (e) {
      setErr(toApiError(e));
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };
  return (
    <>
      {saved && <p class="note" data-testid="aefi-saved-before">{t("aefi.saved_before")}</p>}
      <fieldset class="field">
        <legend class="label">{t("aefi.observed")}</legend>
        <div class="chips">
          {AEFI_SIGNS.map((s) => (
            <button key={s} class={`chip ${signs.includes(s) ? "on" : ""}`} aria-pressed={signs.includes(s)} onClick={() => tick(s)} data-testid={`aefi-sign-${s}`}>
              {t("aefi.sign." + s)}
            </button>
          ))}
        </div>
        <textarea rows={2} value={text} onInput={(e) => setText(e.currentTarget.value)} data-testid="aefi-observed" aria-label={t("aefi.observed")} />
      </fieldset>
      <fieldset class="field">
        <legend class="label">{t("aefi.severity")}</legend>
        <div class="choice-row">
          {SEVERITIES.map((s) => (
            <button
              key={s}
              class={`choice ${severity === s ? "on" : ""} sev-${s}`}
              aria-pressed={severity === s}
              disabled={!severityAllowed(s, signs)}
              onClick={() => setSeverity(s)}
              data-testid={`aefi-severity-${s}`}
            >
              {t("severity." + s)}
            </button>
          ))}
        </div>
      </fieldset>
      {danger && <p class="note warn" data-testid="aefi-serious-sign">{t("aefi.serious_sign")}</p>}
      {severity === "serious" && <p class="note warn">{t("aefi.serious_note")}</p>}
      {needsReferral(severity) && (
        <>
          <fieldset class="field">
            <legend class="label">{t("aefi.onset")}</legend>
            <DateField label={t("aefi.onset_date")} value={onsetDate} onInput={setOnsetDate} testid="aefi-onset-date" today={today} />
            <label class="field">
              <span class="label">{t("aefi.onset_time")}</span>
              <input type="text" inputMode="numeric" placeholder="09:30" value={onsetTime} onInput={(e) => setOnsetTime(e.currentTarget.value)} data-testid="aefi-onset-time" />
            </label>
          </fieldset>
          <div class="referral-box" role="note" data-testid="aefi-referral-box">
            <strong>{t("aefi.referral")}</strong>
            <p>{t("aefi.referral_steps")}</p>
            <fieldset class="field">
              <legend class="label">{t("aefi.referred_to")}</legend>
              <div class="choice-col">
                {REFERRALS.map((r) => (
                  <button key={r} class={`choice ${referral === r ? "on" : ""}`} aria-pressed={referral === r} onClick={() => setReferral(r)} data-testid={`aefi-referral-${r}`}>
                    {t("referral." + r)}
                  </button>
                ))}
              </div>
            </fieldset>
          </div>
        </>
      )}
      <fieldset class="field">
        <legend class="label">{t("aefi.doses")}</legend>
        <div class="chips">
          {candidates.map((c) => (
            <button key={c} class={`chip ${codes.includes(c) ? "on" : ""}`} aria-pressed={codes.includes(c)} onClick={() => setCodes(flip(codes, c))} data-testid={`aefi-dose-${c}`}>
              {doseName(c)}
            </button>
          ))}
        </div>
      </fieldset>
      <FieldError text={problem} />
      <ErrorBox error={err} />
      <button class="btn primary wide" onClick={save} disabled={busy} data-testid="aefi-save">
        {t("aefi.save")}
      </button>
    </>
  );
}

function CloseForm({ session, given, antigens, onClose, onDone }: { session: Session; given: number; antigens: Antigen[]; onClose: () => void; onDone: (s: Session) => void }) {
  const [vials, setVials] = useState<Record<string, number>>(() => Object.fromEntries(antigens.map((a) => [a, 0])));
  const [err, setErr] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [ask, setAsk] = useState(false);
  const noVials = antigens.every((a) => clampVials(vials[a] ?? 0) === 0);
  // Doses given and no vial opened: asked once, clearly, before closing.
  const confirm = async (sure = false) => {
    if (given > 0 && noVials && !sure) return setAsk(true);
    setAsk(false);
    setBusy(true);
    try {
      onDone(await api.closeSession(session.id, antigens.map((a) => ({ antigen: a, opened: clampVials(vials[a] ?? 0) }))));
    } catch (e) {
      setErr(toApiError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Sheet title={t("session.close")} onClose={onClose}>
      <h3>{t("session.vials")}</h3>
      {antigens.map((a) => (
        <Stepper key={a} label={antigenName(a)} value={vials[a] ?? 0} onChange={(n) => setVials({ ...vials, [a]: clampVials(n) })} testid={`vials-${a}`} />
      ))}
      <ErrorBox error={err} />
      {ask ? (
        <div class="confirm-box" role="alertdialog" aria-label={t("session.no_vials_title")} data-testid="close-no-vials">
          <strong>{t("session.no_vials_title")}</strong>
          <p>{t("session.no_vials", { n: given })}</p>
          <button class="btn danger wide" disabled={busy} onClick={() => confirm(true)} data-testid="close-anyway">
            {t("session.no_vials_yes")}
          </button>
          <button class="btn wide" onClick={() => setAsk(false)} data-testid="close-back">
            {t("session.no_vials_back")}
          </button>
        </div>
      ) : (
        <button class="btn danger wide" disabled={busy} onClick={() => confirm()} data-testid="close-confirm">
          {t("session.close_confirm")}
        </button>
      )}
    </Sheet>
  );
}
