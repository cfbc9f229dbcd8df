// A campaign session's vaccine side: the carry kit before leaving for a site, starting the
// site's session, and during it the vial ledger — each open vial with the time left on it,
// opening one (antigen, batch, expiry, VVM), discarding one with its reason — and the closing,
// which asks only what the ledger cannot know (whether to discard a vial it would carry forward).
import { useEffect, useRef, useState } from "preact/hooks";
import { api, toApiError, type ApiError } from "../api";
import type { Antigen, DiscardReason, LedgerVial, SessionLedger, SessionRecord as Session, Wastage } from "../bindings";
import { useApp } from "../context";
import { antigenName, t } from "../i18n";
import { isoToDisplay, parseDisplayDate } from "../lib/dates";
import { pct } from "../lib/text";
import { KitCard, VialTimer } from "../components/Campaign";
import { DateField, dateProblem, ErrorBox, Loading, Sheet, TextField } from "../components/ui";
import { useLoad } from "./Survey";

export const DISCARD_REASONS: DiscardReason[] = ["SESSION_END", "TIME_LIMIT", "VVM_DISCARD", "EXPIRED", "CONTAMINATED", "FROZEN", "LABEL_MISSING"];
const VIAL_ANTIGENS: Antigen[] = ["BCG", "HEPB", "OPV", "PENTA", "RVV", "FIPV", "PCV", "MR", "JE", "DPT", "TD", "VITA"];

/** The carry kit of a site on a day. */
export function KitSheet({ siteId, siteName, date, onClose }: { siteId: string; siteName: string; date: string; onClose: () => void }) {
  const { data, err } = useLoad(() => api.siteKit(siteId, date), [siteId, date]);
  return (
    <Sheet title={t("kit.title", { site: siteName, date: isoToDisplay(date) })} onClose={onClose} testid="kit-sheet">
      <ErrorBox error={err} />
      {!data && !err && <Loading />}
      {data && <KitCard items={data.items} supplies={data.supplies} />}
    </Sheet>
  );
}

/** Opens (or resumes) the site's session on the day and shows it on the session tab. */
export function StartSession({ siteId, date }: { siteId: string; date: string }) {
  const { today, showSession } = useApp();
  const [err, setErr] = useState<ApiError | null>(null);
  if (date > today) return null;
  const start = async () => {
    setErr(null);
    try {
      const s = await api.openSiteSession(siteId, date);
      showSession(s.id);
    } catch (e) {
      setErr(toApiError(e));
    }
  };
  return (
    <>
      <button class="btn primary" onClick={start} data-testid="plan-start">
        {t("plan.start")}
      </button>
      <ErrorBox error={err} />
    </>
  );
}

/** Ticks every 30 s while mounted: the time since `since` (a monotonic clock, never the date). */
function useElapsed(since: number): number {
  const [now, setNow] = useState(() => performance.now());
  if (now < since) setNow(since);
  useEffect(() => {
    const id = setInterval(() => setNow(performance.now()), 30000);
    return () => clearInterval(id);
  }, []);
  return Math.max(0, now - since);
}

const vialOpen = (v: LedgerVial) => !v.discarded;

/** The session's vial ledger: the open vials with their timers, opening and discarding. */
export function VialLedger({ session, ledger, setLedger }: { session: Session; ledger: SessionLedger | null; setLedger: (l: SessionLedger) => void }) {
  const [sheet, setSheet] = useState<{ k: "open" } | { k: "discard"; vial: LedgerVial } | null>(null);
  // The 4-hour timers count down from when the core answered (its `minutes_left` at its `now`).
  const got = useRef<{ l: SessionLedger | null; at: number }>({ l: null, at: 0 });
  if (got.current.l !== ledger) got.current = { l: ledger, at: performance.now() };
  const elapsed = useElapsed(got.current.at);
  if (!ledger) return null;
  const open = ledger.vials.filter(vialOpen);
  const done = ledger.vials.filter((v) => !vialOpen(v));
  const update = (l: SessionLedger) => (setLedger(l), setSheet(null));
  return (
    <section class="card" data-testid="vial-ledger">
      <h2>{t("vial.title", { n: open.length })}</h2>
      {open.length === 0 && <p class="muted">{t("vial.none_open")}</p>}
      <ul class="list">
        {open.map((v) => (
          <li key={v.id} class="vial-row" data-testid="vial" data-vial-id={v.id} data-antigen={v.antigen}>
            <VialTimer time={v} elapsedMs={v.limit === "four_hours" ? elapsed : 0} />
            <div class="vial-info">
              <div class="row-title">{antigenName(v.antigen)}</div>
              <div class="row-sub">
                {[v.batch ? t("vial.batch", { batch: v.batch }) : "", v.expiry ? t("vial.expiry", { date: isoToDisplay(v.expiry) }) : "", v.vvm ? t("vial.vvm_n", { n: v.vvm }) : ""].filter(Boolean).join(" · ")}
              </div>
              <div class="row-sub muted">{v.carried_in ? t("vial.carried_in") : t(`vial.limit.${v.limit}`)}</div>
            </div>
            {!session.closed && (
              <button class="btn-small" onClick={() => setSheet({ k: "discard", vial: v })} data-testid="vial-discard">
                {t("vial.discard")}
              </button>
            )}
          </li>
        ))}
      </ul>
      {done.length > 0 && <p class="muted" data-testid="vials-discarded">{t("vial.discarded_n", { n: done.length })}</p>}
      {ledger.wastage.length > 0 && <WastageList rows={ledger.wastage} />}
      {ledger.wastage.some((w) => w.data_error) && (
        <p class="note warn" data-testid="wastage-data-error">
          {t("vial.data_error")}
        </p>
      )}
      {!session.closed && (
        <button class="btn wide" onClick={() => setSheet({ k: "open" })} data-testid="vial-open">
          {t("vial.open")}
        </button>
      )}
      {sheet?.k === "open" && <OpenVialForm session={session} onDone={update} onClose={() => setSheet(null)} />}
      {sheet?.k === "discard" && <DiscardForm session={session} vial={sheet.vial} onDone={update} onClose={() => setSheet(null)} />}
    </section>
  );
}

/** Wastage per antigen: (doses in the vials opened − doses given) ÷ doses in the vials opened;
 * a negative one (more given than the vials hold) is a data error, shown, never hidden. */
export function WastageList({ rows }: { rows: Wastage[] }) {
  return (
    <>
      <h3>{t("vial.wastage")}</h3>
      <ul class="list">
        {rows.map((w) => (
          <li key={w.antigen} class="supply" data-testid="wastage" data-antigen={w.antigen} data-error={w.data_error ? "yes" : "no"}>
            <span>
              {antigenName(w.antigen)}
              <span class="muted"> · {t("vial.wastage_of", { given: w.doses_given, doses: w.doses_in_vials })}</span>
            </span>
            <b class={w.data_error ? "bad" : ""}>{pct(w.rate)}</b>
          </li>
        ))}
      </ul>
    </>
  );
}

/** A VVM stage as it looks: the square against the circle (1 lighter, 2 a little darker, 3 the
 * same: discard, 4 darker: discard). */
function VvmPicture({ stage }: { stage: number }) {
  const fill = ["#f4f4f4", "#bdbdbd", "#6b6b6b", "#2b2b2b"][stage - 1];
  return (
    <svg viewBox="0 0 32 32" width="32" height="32" aria-hidden="true">
      <circle cx="16" cy="16" r="14" fill="#6b6b6b" />
      <rect x="10" y="10" width="12" height="12" fill={fill} />
    </svg>
  );
}

function OpenVialForm({ session, onDone, onClose }: { session: Session; onDone: (l: SessionLedger) => void; onClose: () => void }) {
  const { today } = useApp();
  const [antigen, setAntigen] = useState<Antigen | null>(null);
  const [batch, setBatch] = useState("");
  const [expiry, setExpiry] = useState("");
  const [vvm, setVvm] = useState<number | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  const save = async () => {
    if (!antigen) return;
    let exp: string | null = null;
    if (expiry.trim()) {
      const p = parseDisplayDate(expiry, { today, allowFuture: true });
      if (!p.ok) return setProblem(dateProblem(p));
      exp = p.iso;
    }
    setProblem(null);
    setErr(null);
    try {
      onDone(await api.openVial({ session_id: session.id, antigen, batch: batch.trim() || null, expiry: exp, vvm }));
    } catch (e) {
      setErr(toApiError(e));
    }
  };
  return (
    <Sheet title={t("vial.open")} onClose={onClose} testid="vial-open-sheet" dirty={!!antigen}>
      <h3>{t("vial.which")}</h3>
      <div class="choice-row">
        {VIAL_ANTIGENS.map((a) => (
          <button key={a} type="button" class={`choice ${antigen === a ? "on" : ""}`} aria-pressed={antigen === a} onClick={() => setAntigen(a)} data-testid={`vial-antigen-${a}`}>
            {antigenName(a)}
          </button>
        ))}
      </div>
      <TextField label={`${t("vial.batch_label")} ${t("common.optional")}`} value={batch} onInput={setBatch} testid="vial-batch" maxLength={40} />
      <DateField label={`${t("vial.expiry_label")} ${t("common.optional")}`} value={expiry} onInput={setExpiry} testid="vial-expiry" today={today} allowFuture optional error={problem} />
      <h3>{t("vial.vvm_label")}</h3>
      <div class="choice-row">
        {[1, 2, 3, 4].map((s) => (
          <button key={s} type="button" class={`choice vvm ${vvm === s ? "on" : ""}`} aria-pressed={vvm === s} onClick={() => setVvm(vvm === s ? null : s)} data-testid={`vial-vvm-${s}`}>
            <VvmPicture stage={s} /> {t("vial.vvm_n", { n: s })}
          </button>
        ))}
      </div>
      {vvm !== null && vvm >= 3 && <p class="note warn" data-testid="vvm-warning">{t("vial.vvm_discard")}</p>}
      <ErrorBox error={err} />
      <button class="btn primary wide" disabled={!antigen} onClick={save} data-testid="vial-open-save">
        {t("vial.open_save")}
      </button>
    </Sheet>
  );
}

function DiscardForm({ session, vial, onDone, onClose }: { session: Session; vial: LedgerVial; onDone: (l: SessionLedger) => void; onClose: () => void }) {
  const [err, setErr] = useState<ApiError | null>(null);
  const discard = async (reason: DiscardReason) => {
    setErr(null);
    try {
      onDone(await api.discardVial(session.id, vial.id, reason));
    } catch (e) {
      setErr(toApiError(e));
    }
  };
  return (
    <Sheet title={`${t("vial.discard")} · ${antigenName(vial.antigen)}`} onClose={onClose} testid="vial-discard-sheet">
      <h3>{t("vial.why_discard")}</h3>
      <div class="choice-col">
        {DISCARD_REASONS.map((r) => (
          <button key={r} type="button" class="choice" onClick={() => discard(r)} data-testid={`discard-${r}`}>
            {t("discard." + r)}
          </button>
        ))}
      </div>
      <ErrorBox error={err} />
    </Sheet>
  );
}

/** Closing with the ledger: the vials still open are discarded at the session's end, but those
 * the open-vial policy covers, carried forward — unless the ANM discards one now. */
export function LedgerCloseForm({ session, ledger, setLedger, onDone, onClose }: { session: Session; ledger: SessionLedger; setLedger: (l: SessionLedger) => void; onDone: (s: Session) => void; onClose: () => void }) {
  const [err, setErr] = useState<ApiError | null>(null);
  const [discarding, setDiscarding] = useState<LedgerVial | null>(null);
  const open = ledger.vials.filter(vialOpen);
  const carried = open.filter((v) => v.limit === "twenty_eight_days" && !v.past_limit);
  const ending = open.filter((v) => !carried.includes(v));
  const close = async () => {
    setErr(null);
    try {
      onDone((await api.closeLedgerSession(session.id)).session);
    } catch (e) {
      setErr(toApiError(e));
    }
  };
  return (
    <Sheet title={t("session.close")} onClose={onClose} testid="ledger-close">
      {ending.length > 0 && (
        <>
          <h3>{t("vial.close_discarded")}</h3>
          <ul class="list">
            {ending.map((v) => (
              <li key={v.id} class="vial-row" data-testid="close-ending" data-antigen={v.antigen}>
                <span class="row-title">{antigenName(v.antigen)}</span>
                {v.batch && <span class="muted"> · {v.batch}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      {carried.length > 0 && (
        <>
          <h3>{t("vial.close_carried")}</h3>
          <p class="muted">{t("vial.close_carried_help")}</p>
          <ul class="list">
            {carried.map((v) => (
              <li key={v.id} class="vial-row" data-testid="close-carried" data-antigen={v.antigen}>
                <VialTimer time={v} />
                <div class="vial-info">
                  <div class="row-title">{antigenName(v.antigen)}</div>
                  {v.batch && <div class="row-sub">{t("vial.batch", { batch: v.batch })}</div>}
                </div>
                <button class="btn-small" onClick={() => setDiscarding(v)} data-testid="close-discard">
                  {t("vial.discard")}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {open.length === 0 && <p class="muted">{t("vial.none_open")}</p>}
      <ErrorBox error={err} />
      <button class="btn primary wide" onClick={close} data-testid="ledger-close-confirm">
        {t("session.close")}
      </button>
      {discarding && (
        <DiscardForm session={session} vial={discarding} onDone={(l) => (setLedger(l), setDiscarding(null))} onClose={() => setDiscarding(null)} />
      )}
    </Sheet>
  );
}
