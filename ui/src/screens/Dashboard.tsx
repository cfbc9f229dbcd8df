// The supervisor's round dashboard: pick a round, its headline figures and charts for the
// device's area (the core's `round_report`, never recomputed here), a tap on an area for its
// child areas, then a village's households; the red list; and the phones.
import { Fragment } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, toApiError, type ApiError } from "../api";
import type { AreaFigures, DeviceInfo, EveningPack as Pack, OpenHow, PackLang, RedItem, Report } from "../bindings";
import { useApp } from "../context";
import { antigenName, language, LANGUAGES, t } from "../i18n";
import { isoToDisplay } from "../lib/dates";
import { phoneRows, redGroups, syncWords, wastageFlagged, lastSegment } from "../lib/dashboard";
import { pct } from "../lib/text";
import { CountBars, CoverageBar, FicLine, StackedBar } from "../components/Charts";
import { ErrorBox, Loading } from "../components/ui";
import { useLoad } from "./Survey";

/** The dashboard: the round picker, then the report of the area opened (the device's area
 * first). */
export function Dashboard() {
  const rounds = useLoad(() => api.rounds(), []);
  const [round, setRound] = useState<number | null>(null);
  // The areas opened, by path; empty: the device's own area.
  const [path, setPath] = useState<string[]>([]);
  if (rounds.err) return <ErrorBox error={rounds.err} />;
  if (!rounds.data) return <Loading />;
  if (rounds.data.length === 0) return <p class="note" data-testid="dash-no-round">{t("dash.no_round")}</p>;
  const numbers = rounds.data.map((r) => r.number);
  const chosen = round !== null && numbers.includes(round) ? round : numbers[numbers.length - 1];
  return (
    <div class="dashboard" data-testid="dashboard">
      <label class="field">
        <span>{t("dash.round")}</span>
        <select value={String(chosen)} onChange={(e) => (setRound(Number(e.currentTarget.value)), setPath([]))} data-testid="dash-round">
          {numbers.map((n) => (
            <option key={n} value={String(n)}>
              {t("round.title", { n })}
            </option>
          ))}
        </select>
      </label>
      <AreaReport round={chosen} area={path[path.length - 1]} depth={path.length} open={(a) => setPath([...path, a])} back={() => setPath(path.slice(0, -1))} />
    </div>
  );
}

function AreaReport(props: { round: number; area?: string; depth: number; open: (area: string) => void; back: () => void }) {
  const { data, err } = useLoad(() => api.roundReport({ round: props.round, area: props.area ?? null }), [props.round, props.area ?? ""]);
  if (err) return <ErrorBox error={err} />;
  if (!data) return <Loading />;
  const total = data.total;
  const title = total.area === "*" ? t("dash.all_areas") : total.name;
  return (
    <>
      <div class="dash-head">
        {props.depth > 0 && (
          <button type="button" class="btn" onClick={props.back} data-testid="dash-back">
            ← {t("common.back")}
          </button>
        )}
        <h2 data-testid="dash-area-title" data-area={total.area}>
          {title}
        </h2>
        <p class="muted" data-testid="dash-on">
          {t("dash.on", { round: data.round, date: isoToDisplay(data.on) })}
        </p>
      </div>
      <Headline f={total} />
      <Charts report={data} />
      {data.areas.length > 0 && (
        <section class="card" data-testid="dash-areas">
          <h3>{t("dash.areas")}</h3>
          <p class="muted">{t("dash.tap_area")}</p>
          {data.areas.map((a) => (
            <CoverageBar
              key={a.area}
              testid="dash-area"
              area={a.area}
              label={a.name}
              percent={a.covered_percent}
              note={t("dash.covered_of", { a: a.vaccinated, b: a.due })}
              onOpen={() => props.open(a.area)}
            />
          ))}
        </section>
      )}
      {total.level === "village" && <Households village={total} />}
      <RedList items={data.red_list} />
      <EveningPack key={`${props.round}/${props.area ?? ""}`} round={props.round} area={props.area} name={title} />
    </>
  );
}

/** A desktop, where a file can be shown in its folder (not a phone's web view). */
const DESKTOP = typeof navigator === "undefined" || !/Android|iPhone|iPad/i.test(navigator.userAgent);

/** The PNG of a pack as a file, for the system's share sheet where the web view has one. */
function packFile(pack: Pack): File | null {
  const b64 = pack.png_data_url.split(",")[1] ?? "";
  try {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new File([bytes], `${pack.file_stem}.png`, { type: "image/png" });
  } catch {
    return null;
  }
}

/** Whether this web view can hand a file to the system's share sheet (Web Share with files:
 * Safari's web views; not WebKitGTK nor Android's WebView). */
function canShare(file: File | null): boolean {
  const nav = navigator as Navigator & { canShare?: (d: { files: File[] }) => boolean };
  return !!file && typeof nav.share === "function" && typeof nav.canShare === "function" && nav.canShare({ files: [file] });
}

/** The task force's evening pack of the area shown: the page's language, a big button that has
 * the core draw and save it (PDF and PNG), progress while it draws, then the picture, where the
 * files were saved, and Share where the web view can share a file. */
function EveningPack(props: { round: number; area?: string; name: string }) {
  // The page's language follows the app's until one is chosen here.
  const [chosen, setLang] = useState<PackLang | null>(null);
  const lang: PackLang = chosen ?? (language() === "hi" ? "hi" : "en");
  const [busy, setBusy] = useState(false);
  const [pack, setPack] = useState<Pack | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  const [zoomed, setZoomed] = useState(false);
  const [openErr, setOpenErr] = useState<ApiError | null>(null);
  const open = async (how: OpenHow) => {
    if (!pack) return;
    setOpenErr(null);
    try {
      await api.openPack({ file: `${pack.file_stem}.pdf`, how });
    } catch (e) {
      setOpenErr(toApiError(e));
    }
  };
  const make = async () => {
    setBusy(true);
    setErr(null);
    setOpenErr(null);
    try {
      setPack(await api.eveningPack({ round: props.round, area: props.area ?? null, lang }));
    } catch (e) {
      setErr(toApiError(e));
    } finally {
      setBusy(false);
    }
  };
  const file = useMemo(() => (pack ? packFile(pack) : null), [pack]);
  const share = canShare(file);
  const fileName = (path: string) => path.split(/[\\/]/).pop() ?? path;
  return (
    <section class="card pack" data-testid="dash-pack">
      <h3>{t("dash.pack")}</h3>
      <p class="muted">{t("dash.pack_help", { name: props.name })}</p>
      <h4>{t("dash.pack_lang")}</h4>
      <div class="choice-row" role="radiogroup" aria-label={t("dash.pack_lang")}>
        {LANGUAGES.map((l) => (
          <button
            key={l.code}
            type="button"
            role="radio"
            aria-checked={lang === l.code}
            lang={l.code}
            class={`choice ${lang === l.code ? "on" : ""}`}
            disabled={busy}
            onClick={() => setLang(l.code as PackLang)}
            data-testid={`pack-lang-${l.code}`}
          >
            {l.dict["lang.name"]}
          </button>
        ))}
      </div>
      <button type="button" class="btn primary big pack-make" disabled={busy} aria-busy={busy} onClick={make} data-testid="pack-make">
        {busy ? t("dash.pack_making") : pack ? t("dash.pack_again") : t("dash.pack_make")}
      </button>
      {busy && (
        <p class="pack-progress" role="status" data-testid="pack-progress">
          <span class="spinner" aria-hidden="true" /> {t("dash.pack_making_help")}
        </p>
      )}
      <ErrorBox error={err} />
      {pack && !busy && (
        <div class="pack-done" data-testid="pack-done" data-lang={pack.lang}>
          <div class={`pack-frame ${zoomed ? "zoomed" : ""}`}>
            <img
              class="pack-preview"
              src={pack.png_data_url}
              width={pack.png_width}
              height={pack.png_height}
              alt={t("dash.pack_preview", { name: props.name })}
              onClick={() => setZoomed(!zoomed)}
              data-testid="pack-preview"
            />
          </div>
          <button type="button" class="btn wide" aria-pressed={zoomed} onClick={() => setZoomed(!zoomed)} data-testid="pack-zoom">
            {zoomed ? t("dash.pack_smaller") : t("dash.pack_larger")}
          </button>
          <p>{t("dash.pack_saved")}</p>
          <p class="pack-path" data-testid="pack-dir">
            {pack.dir}
          </p>
          <p class="muted small" data-testid="pack-files">
            {t("dash.pack_files", { pdf: fileName(pack.pdf_path), png: fileName(pack.png_path) })}
          </p>
          <div class="actions">
            <button type="button" class="btn big" onClick={() => open("open")} data-testid="pack-open">
              {t("dash.pack_open")}
            </button>
            {DESKTOP && (
              <button type="button" class="btn big" onClick={() => open("reveal")} data-testid="pack-reveal">
                {t("dash.pack_reveal")}
              </button>
            )}
          </div>
          <ErrorBox error={openErr} />
          {share ? (
            <button type="button" class="btn big" onClick={() => file && navigator.share({ files: [file], title: t("dash.pack_preview", { name: props.name }) }).catch(() => undefined)} data-testid="pack-share">
              {t("dash.pack_share")}
            </button>
          ) : (
            <p class="note" data-testid="pack-share-none">
              {t("dash.pack_share_none")}
            </p>
          )}
        </div>
      )}
    </section>
  );
}

/** The headline figures, each a large tile. */
function Headline({ f }: { f: AreaFigures }) {
  const tiles: { id: string; label: string; value: string; sub: string; bad?: boolean }[] = [
    { id: "covered", label: t("dash.covered"), value: pct(f.covered_percent), sub: t("dash.covered_of", { a: f.vaccinated, b: f.due }), bad: f.covered_percent !== null && f.covered_percent < 80 },
    { id: "sessions", label: t("dash.sessions"), value: `${f.sessions_held} / ${f.sessions_planned}`, sub: t("dash.sessions_sub", { n: f.sessions_not_held, r: f.sessions_reported }) },
    { id: "fic", label: t("dash.fic"), value: `${pct(f.fic_before.percent)} → ${pct(f.fic_after.percent)}`, sub: t("dash.fic_sub", { n: f.fic_after.cohort }) },
    { id: "refusals", label: t("dash.refusals"), value: `${f.refusals_persuaded} / ${f.refusal_families}`, sub: t("dash.refusals_sub", { p: pct(f.persuaded_percent) }) },
    { id: "aefi", label: t("dash.aefi"), value: String(f.aefi.minor + f.aefi.severe + f.aefi.serious), sub: t("dash.aefi_sub", { n: f.aefi.serious }), bad: f.aefi.serious > 0 },
  ];
  return (
    <div class="tiles" data-testid="dash-headline">
      {tiles.map((x) => (
        <div key={x.id} class={`tile ${x.bad ? "bad" : ""}`} data-testid={`dash-${x.id}`}>
          <div class="tile-label">{x.label}</div>
          <div class="tile-value" data-testid="tile-value">{x.value}</div>
          <div class="tile-sub muted">{x.sub}</div>
        </div>
      ))}
    </div>
  );
}

function Charts({ report }: { report: Report }) {
  const f = report.total;
  const notReported = Math.max(0, f.sessions_planned - f.sessions_not_held - f.sessions_reported);
  const fic = [{ label: t("dash.before"), percent: f.fic_before.percent }, ...f.fic_by_day.map((d) => ({ label: isoToDisplay(d.day).slice(0, 5), percent: d.percent }))];
  return (
    <>
      {report.units.length > 0 && (
        <section class="card" data-testid="dash-units">
          <h3>{t("dash.units")}</h3>
          {report.units.map((u) => (
            <CoverageBar key={u.area} testid="dash-unit" area={u.area} label={u.name} percent={u.percent} note={t("dash.covered_of", { a: u.vaccinated, b: u.due })} />
          ))}
          <p class="muted small">{t("dash.goal_line")}</p>
        </section>
      )}
      <section class="card">
        <h3>{t("dash.sessions_chart")}</h3>
        <StackedBar
          testid="dash-sessions-chart"
          parts={[
            { n: f.sessions_reported, cls: "ok", label: t("dash.s.reported") },
            { n: Math.max(0, f.sessions_held - f.sessions_reported), cls: "mid", label: t("dash.s.held_no_records") },
            { n: f.sessions_not_held, cls: "bad", label: t("dash.s.not_held") },
            { n: Math.max(0, notReported - Math.max(0, f.sessions_held - f.sessions_reported)), cls: "none", label: t("dash.s.no_report") },
          ]}
        />
      </section>
      <section class="card">
        <h3>{t("dash.fic_chart")}</h3>
        <FicLine testid="dash-fic-chart" points={fic} />
      </section>
      <section class="card">
        <h3>{t("dash.refusal_chart")}</h3>
        <StackedBar
          testid="dash-refusal-chart"
          parts={[
            { n: f.refusals_persuaded, cls: "ok", label: t("dash.r.persuaded") },
            { n: f.refusals_open, cls: "mid", label: t("dash.r.open") },
            { n: f.refusals_still_refusing, cls: "bad", label: t("dash.r.still") },
            { n: f.refusals_migrated, cls: "none", label: t("dash.r.migrated") },
          ]}
        />
      </section>
      <section class="card">
        <h3>{t("dash.aefi_chart")}</h3>
        <CountBars
          testid="dash-aefi-chart"
          bars={[
            { label: t("severity.minor"), n: f.aefi.minor, cls: "ok", testid: "aefi-minor" },
            { label: t("severity.severe"), n: f.aefi.severe, cls: "mid", testid: "aefi-severe" },
            { label: t("severity.serious"), n: f.aefi.serious, cls: "bad", testid: "aefi-serious" },
          ]}
        />
      </section>
      <section class="card" data-testid="dash-wastage">
        <h3>{t("dash.wastage")}</h3>
        {f.wastage.length === 0 && <p class="muted">{t("common.none")}</p>}
        {f.wastage.map((w) => {
          const flagged = wastageFlagged(w);
          return (
            <div key={w.antigen} class="chart-row" data-testid="wastage-row" data-antigen={w.antigen} data-flagged={String(flagged)}>
              <span class="chart-label">{antigenName(w.antigen)}</span>
              <span class="chart-n">{pct(w.rate)}</span>
              <span class="chart-note muted">{t("dash.wastage_of", { v: w.vials_opened, d: w.doses_given })}</span>
              {flagged && (
                <span class="tag warn" data-testid="wastage-flag">
                  {t("dash.wastage_negative")}
                </span>
              )}
            </div>
          );
        })}
      </section>
    </>
  );
}

/** A village's households, once the drill-down reaches it. */
function Households({ village }: { village: AreaFigures }) {
  // By the report's own id of the village: two villages may share a name.
  const id = village.id;
  const hh = useLoad(() => (id ? api.households(id) : Promise.resolve([])), [id ?? ""]);
  if (hh.err) return <ErrorBox error={hh.err} />;
  return (
    <section class="card" data-testid="dash-households">
      <h3>{t("dash.households")}</h3>
      {!hh.data && <Loading />}
      <ul class="list">
        {hh.data?.map((h) => (
          <li key={h.id} class="member" data-testid="dash-household" data-household-id={h.household_id}>
            <div class="row-title">
              {t("sup.house", { no: h.house_no ?? "—" })} · {h.head_of_household ?? ""} {h.resistant && <span class="tag warn">{t("dash.refusing")}</span>}
            </div>
            <div class="row-sub">{t("dash.household_sub", { n: h.members, d: h.due })}</div>
          </li>
        ))}
        {hh.data?.length === 0 && <li class="muted">{t("common.none")}</li>}
      </ul>
    </section>
  );
}

function redText(i: RedItem): string {
  switch (i.kind) {
    case "low_coverage":
      return t("dash.red.low_coverage_item", { name: i.name, p: pct(i.percent), a: i.vaccinated, b: i.due });
    case "not_reported":
      return t("dash.red.not_reported_item", { site: i.site_name || i.site_id, date: isoToDisplay(i.day) });
    case "old_case":
      return t("dash.red.old_case_item", { id: i.household_id, place: lastSegment(i.area), n: i.days_open });
    case "serious_aefi":
      return t("dash.red.serious_aefi_item", { id: i.register_id, place: lastSegment(i.area), date: isoToDisplay(i.date) });
  }
}

/** What needs acting on, in four groups. */
function RedList({ items }: { items: RedItem[] }) {
  const groups = redGroups(items);
  return (
    <section class="card red-list" data-testid="dash-red-list">
      <h3>{t("dash.red")}</h3>
      {groups.length === 0 && <p class="muted" data-testid="dash-red-none">{t("dash.red_none")}</p>}
      {groups.map((g) => (
        <Fragment key={g.kind}>
          <h4 data-testid={`dash-red-${g.kind}`} data-n={g.items.length}>
            {t(`dash.red.${g.kind}`)} ({g.items.length})
          </h4>
          <ul class="list">
            {g.items.map((i, n) => (
              <li key={n} class="member" data-testid="dash-red-item" data-kind={i.kind}>
                {redText(i)}
              </li>
            ))}
          </ul>
        </Fragment>
      ))}
    </section>
  );
}

/** An area path that wraps only between its parts ("Rampur SC" never splits). */
export function AreaPath({ path }: { path: string }) {
  return (
    <span class="area-path" data-testid="device-area">
      {path.split("/").map((part, i) => (
        <Fragment key={i}>
          {i > 0 && (
            <>
              /<wbr />
            </>
          )}
          {part.replace(/ /g, "\u00A0")}
        </Fragment>
      ))}
    </span>
  );
}

/** The phones of the area: worker, role and village, last sync in words, what is waiting;
 * oldest sync first, those not synced in 24 hours and clocks off by more than 5 minutes marked. */
export function Phones({ nowMs }: { nowMs?: number }) {
  const { dataVersion } = useApp();
  const [data, setData] = useState<DeviceInfo[] | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  useEffect(() => {
    api.devices().then((d) => (setData(d), setErr(null)), (e) => setErr(toApiError(e)));
  }, [dataVersion]);
  if (err?.code === "NETWORK") return <p class="note" data-testid="error" data-code="NETWORK">{t("sup.devices_offline")}</p>;
  if (err?.code === "NOT_ENROLLED") return <p class="note" data-testid="error" data-code="NOT_ENROLLED">{t("sup.devices_not_enrolled")}</p>;
  if (err) return <ErrorBox error={err} />;
  if (!data) return <Loading />;
  const rows = phoneRows(data, nowMs ?? Date.now());
  return (
    <ul class="list" data-testid="phones">
      {rows.map(({ device: d, village, stale, skew }) => {
        const ago = syncWords(d.last_sync_at, nowMs ?? Date.now());
        return (
          <li key={d.device_id} class={`member ${stale || skew ? "flagged" : ""}`} data-testid="device" data-device-id={d.device_id} data-stale={String(stale)}>
            <div class="row-title">
              <span data-testid="device-worker">{d.worker ?? t("dash.worker_unknown")}</span> · {t("role." + d.role)} · <span data-testid="device-village">{village}</span>{" "}
              {d.revoked && <span class="tag warn">{t("sup.revoked")}</span>}
            </div>
            <div class="row-sub">
              <span data-testid="device-last-sync">{t("dash.last_sync", { ago: t(ago.key, ago.n === undefined ? undefined : { n: ago.n }) })}</span> ·{" "}
              <span data-testid="device-pending">{d.pending == null ? t("sup.pending_unknown") : t("sup.pending", { n: d.pending })}</span>
            </div>
            {stale && (
              <div class="tag warn" data-testid="device-stale">
                {t("dash.stale")}
              </div>
            )}
            {skew && (
              <div class="tag warn" data-testid="device-skew">
                {t("sup.skew", { n: Math.round(Math.abs(d.clock_skew_ms!) / 60000) })}
              </div>
            )}
            <div class="muted small">
              <AreaPath path={d.area} /> · <span class="device-id">{d.device_id}</span>
            </div>
          </li>
        );
      })}
      {rows.length === 0 && <li class="muted">{t("common.none")}</li>}
    </ul>
  );
}
