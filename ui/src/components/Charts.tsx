// The round dashboard's charts: small SVG drawings, no chart library. Each figure is also
// written out beside its drawing, so that nothing is read off a chart alone.
import { LOW_COVERAGE, countScale, linePoints, lowCoverage, scale } from "../lib/dashboard";
import { pct } from "../lib/text";

/** One area's share of its due list covered, with the 80% line; a button when it can be opened. */
export function CoverageBar(props: { label: string; percent: number | null; note: string; onOpen?: () => void; testid: string; area?: string }) {
  const low = lowCoverage(props.percent);
  const body = (
    <>
      <span class="chart-label">{props.label}</span>
      <svg class="chart-bar" viewBox="0 0 100 12" preserveAspectRatio="none" aria-hidden="true">
        <rect x="0" y="2" width="100" height="8" class="chart-track" />
        <rect x="0" y="2" width={scale(props.percent)} height="8" class={low ? "chart-fill bad" : "chart-fill ok"} data-testid="bar-fill" />
        <line x1={LOW_COVERAGE} x2={LOW_COVERAGE} y1="0" y2="12" class="chart-goal" data-testid="goal-line" />
      </svg>
      <span class="chart-n">{pct(props.percent)}</span>
      <span class="chart-note muted">{props.note}</span>
    </>
  );
  return props.onOpen ? (
    <button type="button" class={`chart-row tap ${low ? "low" : ""}`} onClick={props.onOpen} data-testid={props.testid} data-area={props.area} data-low={String(low)}>
      {body}
    </button>
  ) : (
    <div class={`chart-row ${low ? "low" : ""}`} data-testid={props.testid} data-area={props.area} data-low={String(low)}>
      {body}
    </div>
  );
}

/** Parts of a whole as one stacked bar (sessions held, not held, not reported…). */
export function StackedBar(props: { parts: { n: number; cls: string; label: string }[]; testid: string }) {
  const total = props.parts.reduce((a, p) => a + p.n, 0);
  let x = 0;
  return (
    <div class="stacked" data-testid={props.testid}>
      <svg class="chart-bar" viewBox="0 0 100 12" preserveAspectRatio="none" aria-hidden="true">
        <rect x="0" y="2" width="100" height="8" class="chart-track" />
        {props.parts.map((p, i) => {
          const w = total > 0 ? (p.n / total) * 100 : 0;
          const r = <rect key={i} x={x} y="2" width={w} height="8" class={`chart-fill ${p.cls}`} />;
          x += w;
          return r;
        })}
      </svg>
      <div class="legend">
        {props.parts.map((p, i) => (
          <span key={i} class="legend-item">
            <span class={`swatch ${p.cls}`} /> {p.label}: <b>{p.n}</b>
          </span>
        ))}
      </div>
    </div>
  );
}

/** FIC before the round and after each of its days: a small line over 0–100%, with its points
 * labelled below. */
export function FicLine(props: { points: { label: string; percent: number | null }[]; testid: string }) {
  const w = 100;
  const h = 40;
  const values = props.points.map((p) => p.percent);
  const pts = linePoints(values, w, h);
  return (
    <div class="fic-line" data-testid={props.testid}>
      <svg viewBox={`-4 -4 ${w + 8} ${h + 8}`} class="chart-line" aria-hidden="true">
        <line x1="0" x2={w} y1={h} y2={h} class="chart-axis" />
        <polyline points={pts} class="chart-stroke" data-testid="fic-points" />
        {pts.split(" ").filter(Boolean).map((p, i) => {
          const [cx, cy] = p.split(",");
          return <circle key={i} cx={cx} cy={cy} r="2" class="chart-dot" />;
        })}
      </svg>
      <ol class="fic-days">
        {props.points.map((p, i) => (
          <li key={i} data-testid="fic-day">
            <span class="muted">{p.label}</span> <b>{pct(p.percent)}</b>
          </li>
        ))}
      </ol>
    </div>
  );
}

/** Counts side by side as bars of one scale (AEFI by severity…). */
export function CountBars(props: { bars: { label: string; n: number; cls: string; testid: string }[]; testid: string }) {
  const widths = countScale(props.bars.map((b) => b.n));
  return (
    <div class="count-bars" data-testid={props.testid}>
      {props.bars.map((b, i) => (
        <div key={b.testid} class="chart-row" data-testid={b.testid} data-n={b.n}>
          <span class="chart-label">{b.label}</span>
          <svg class="chart-bar" viewBox="0 0 100 12" preserveAspectRatio="none" aria-hidden="true">
            <rect x="0" y="2" width="100" height="8" class="chart-track" />
            <rect x="0" y="2" width={widths[i]} height="8" class={`chart-fill ${b.cls}`} />
          </svg>
          <span class="chart-n">{b.n}</span>
        </div>
      ))}
    </div>
  );
}
