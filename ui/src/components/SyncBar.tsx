import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { api, toApiError } from "../api";
import type { AppCode, SyncState } from "../bindings";
import { errorText, t } from "../i18n";
import { timeAgo, type Ago } from "../lib/dates";
import { Icon } from "./ui";

export function agoText(a: Ago): string {
  return a.unit === "never" || a.unit === "just_now" ? t("ago." + a.unit) : t("ago." + a.unit, { n: a.n });
}

/** Always at the top: pending count, last sync as "x min ago", the last problem, Sync now. */
export function SyncBar(props: { sync: SyncState; onSync: (s: SyncState) => void; onMenu?: () => void }) {
  const s = props.sync;
  const [now, setNow] = useState(Date.now());
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 30000);
    return () => clearInterval(id);
  }, []);
  // Full-screen sheets start below the bar (--syncbar-h), so it stays in sight everywhere.
  const bar = useRef<HTMLElement>(null);
  useLayoutEffect(() => {
    const el = bar.current;
    if (!el) return;
    const set = () => document.documentElement.style.setProperty("--syncbar-h", `${el.offsetHeight}px`);
    set();
    if (typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(set);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const err = s.last_error ? errorText(s.last_error.code) : null;
  const syncNow = async () => {
    setBusy(true);
    try {
      props.onSync(await api.syncNow());
    } catch (e) {
      const ae = toApiError(e);
      // A failure the shell reports (its code may be one only the shell knows) is shown as the
      // last error, translated like the core's.
      props.onSync({ ...s, last_error: { code: ae.code as AppCode, message: ae.message } });
    } finally {
      setBusy(false);
    }
  };
  return (
    <header ref={bar} class="syncbar" data-testid="sync-bar" data-enrolled={s.enrolled ? "yes" : "no"}>
      <div class="syncbar-row">
        <div class="syncbar-text">
          <span class="pending" title={t("sync.pending_long")}>
            <span data-testid="sync-pending">{s.pending}</span>
            <span class="pending-label"> {t("sync.pending", { n: "" }).trim()}</span>
          </span>
          <span class="sep">·</span>
          <span data-testid="sync-last">
            {s.syncing
              ? t("sync.syncing")
              : !s.enrolled
                ? t("sync.offline")
                : s.last_success
                  ? t("sync.last", { ago: agoText(timeAgo(s.last_success, now)) })
                  : t("sync.never")}
          </span>
        </div>
        {s.enrolled && (
          <button class="btn-small" onClick={syncNow} disabled={busy || s.syncing} data-testid="sync-now">
            {t("sync.now")}
          </button>
        )}
        {props.onMenu && (
          <button class="icon-btn" onClick={props.onMenu} data-testid="menu" aria-label={t("menu.title")}>
            <Icon name="menu" />
          </button>
        )}
      </div>
      {err && s.enrolled && (
        <div class="syncbar-error" data-testid="sync-error" data-code={s.last_error!.code} role="status">
          <strong>{err.what}</strong> {err.todo}
        </div>
      )}
    </header>
  );
}
