// The campaign's pictures: a round's days as a calendar strip, an open vial's timer (a ring of
// the time left), and the carry kit as vials to count.
import type { CalendarDay } from "../bindings";
import { antigenName, t } from "../i18n";
import { isoToDisplay } from "../lib/dates";
import { hoursMinutes, remaining, weeks, type KitItemLike, type SuppliesLike, type TimeLeftLike } from "../lib/campaign";

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** The round's days in weeks (Monday first, 7 columns: fits a 360-px screen): session days
 * numbered, Sundays grey, RI days with a syringe, holidays with a flag. `onDay` makes the days
 * tappable (declaring a holiday); `selected` rings one. */
export function CalendarStrip(props: { days: CalendarDay[]; onDay?: (d: CalendarDay) => void; selected?: string | null; testid?: string }) {
  const rows = weeks(props.days);
  return (
    <div class="cal" data-testid={props.testid ?? "calendar"}>
      <div class="cal-row cal-head" aria-hidden="true">
        {WEEKDAYS.map((w) => (
          <span key={w}>{t("wd." + w)}</span>
        ))}
      </div>
      {rows.map((row, i) => (
        <div class="cal-row" key={i}>
          {row.map((d, j) =>
            d ? (
              <button
                key={d.date}
                type="button"
                class={`cal-day ${d.kind} ${props.selected === d.date ? "sel" : ""}`}
                disabled={!props.onDay}
                onClick={() => props.onDay?.(d)}
                data-testid="cal-day"
                data-date={d.date}
                data-kind={d.kind}
                aria-label={`${isoToDisplay(d.date)}: ${d.kind === "working" ? t("round.kind.working", { n: d.working_day ?? 0 }) : t("round.kind." + d.kind)}`}
              >
                <span class="cal-date">{Number(d.date.slice(8))}</span>
                <span class="cal-mark" aria-hidden="true">
                  {d.kind === "working" ? d.working_day : <DayIcon kind={d.kind} />}
                </span>
              </button>
            ) : (
              <span key={`e${j}`} class="cal-day empty" />
            ),
          )}
        </div>
      ))}
      <div class="cal-legend" aria-hidden="true">
        <span><span class="cal-swatch working">1</span> {t("round.legend_working")}</span>
        <span><span class="cal-swatch holiday"><DayIcon kind="holiday" /></span> {t("round.kind.holiday")}</span>
        <span><span class="cal-swatch ri_day"><DayIcon kind="ri_day" /></span> {t("round.kind.ri_day")}</span>
        <span><span class="cal-swatch sunday"><DayIcon kind="sunday" /></span> {t("round.kind.sunday")}</span>
      </div>
    </div>
  );
}

function DayIcon({ kind }: { kind: string }) {
  // A flag (holiday), a syringe (RI day), a sun (Sunday).
  const d =
    kind === "holiday"
      ? "M6 21V4M6 4h11l-2 4 2 4H6"
      : kind === "ri_day"
        ? "M18 3l3 3M16 5l3 3M17.5 6.5L8 16l-3 1 1-3 9.5-9.5M9 11l4 4M3 21l3-3"
        : "M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zM12 2v2M12 20v2M2 12h2M20 12h2M5 5l1.5 1.5M17.5 17.5L19 19M5 19l1.5-1.5M17.5 6.5L19 5";
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
      <path d={d} fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}

/** An open vial's time left as a ring: full when just opened, empty at its limit; minutes
 * (h:mm) for BCG, MR and JE's 4 hours, days for the 28-day policy. `elapsedMs`: time since the
 * core gave `time` (the screen ticks it). */
export function VialTimer({ time, elapsedMs = 0 }: { time: TimeLeftLike; elapsedMs?: number }) {
  const r = remaining(time, elapsedMs);
  const C = 2 * Math.PI * 20;
  const state = r.past ? "past" : r.soon ? "soon" : "ok";
  const label =
    r.unit === "minutes" ? hoursMinutes(r.left) : r.unit === "days" ? t("vial.days_n", { n: r.left }) : t("vial.session_end_short");
  return (
    <span class={`vial-timer ${state}`} data-testid="vial-timer" data-unit={r.unit} data-left={r.left} data-past={r.past ? "yes" : "no"}>
      <svg viewBox="0 0 48 48" width="56" height="56" aria-hidden="true">
        <circle cx="24" cy="24" r="20" class="ring-track" />
        {r.unit !== "none" && (
          <circle cx="24" cy="24" r="20" class="ring-fill" stroke-dasharray={`${C * r.fraction} ${C}`} transform="rotate(-90 24 24)" />
        )}
      </svg>
      <span class="vial-timer-text">{r.past ? t("vial.past") : label}</span>
    </span>
  );
}

/** Up to 10 vial pictures, then the number: what the ANM counts into the carrier. */
function Vials({ n, open }: { n: number; open: number }) {
  const shown = Math.min(n, 10);
  return (
    <span class="vials" aria-hidden="true">
      {Array.from({ length: shown }, (_, i) => (
        <svg key={i} viewBox="0 0 12 24" width="12" height="24">
          <rect x="3" y="1" width="6" height="4" rx="1" class="vial-cap" />
          <rect x="2" y="5" width="8" height="18" rx="2" class="vial-body" />
        </svg>
      ))}
      {n > 10 && <span class="vials-more">×{n}</span>}
      {Array.from({ length: Math.min(open, 5) }, (_, i) => (
        <svg key={`o${i}`} viewBox="0 0 12 24" width="12" height="24">
          <rect x="2" y="5" width="8" height="18" rx="2" class="vial-open" />
        </svg>
      ))}
    </span>
  );
}

/** The carry kit: per antigen the vials to take (with pictures), the doses due and with
 * wastage, the open vials already carried; then the supplies. */
export function KitCard({ items, supplies }: { items: KitItemLike[]; supplies: SuppliesLike }) {
  if (items.length === 0) return <p class="note" data-testid="kit-empty">{t("kit.empty")}</p>;
  const extra: [string, number][] = [
    ["kit.syringe_01", supplies.ad_syringes_0_1ml],
    ["kit.syringe_05", supplies.ad_syringes_0_5ml],
    ["kit.recon", supplies.reconstitution_syringes],
    ...(["BCG", "MR", "JE"] as const).map((a): [string, number] => [t("kit.diluent", { antigen: antigenName(a) }), supplies.diluents[a]]),
    ["kit.hub_cutter", supplies.hub_cutters],
    ["kit.red_bag", supplies.red_bags],
    ["kit.black_bag", supplies.black_bags],
    ["kit.mcp_cards", supplies.mcp_cards],
  ];
  return (
    <div data-testid="kit">
      <ul class="list kit">
        {items.map((i) => (
          <li key={i.antigen} class="kit-item" data-testid="kit-item" data-antigen={i.antigen} data-vials={i.vials}>
            <div class="kit-head">
              <span class="row-title">{antigenName(i.antigen)}</span>
              <span class="kit-vials" data-testid="kit-vials">{t(i.vials === 1 ? "kit.vials.one" : "kit.vials", { n: i.vials })}</span>
            </div>
            <Vials n={i.vials} open={i.open_vials_usable} />
            <div class="row-sub">
              {t("kit.due")}: <b>{i.doses_due}</b> · {t("kit.needed")}: <b>{i.doses_needed}</b>
            </div>
            {i.open_vials_usable > 0 && (
              <div class="tag ok" data-testid="kit-open">
                {t(i.open_vials_usable === 1 ? "kit.open_usable_n.one" : "kit.open_usable_n", { n: i.open_vials_usable })}
              </div>
            )}
          </li>
        ))}
      </ul>
      <h3>{t("kit.supplies")}</h3>
      <ul class="list supplies" data-testid="kit-supplies">
        {extra
          .filter(([, n]) => n > 0)
          .map(([k, n]) => (
            <li key={k} class="supply">
              <span>{k.startsWith("kit.") ? t(k) : k}</span>
              <b>{n}</b>
            </li>
          ))}
      </ul>
    </div>
  );
}
