import { useState } from "preact/hooks";
import { api, toApiError, type ApiError } from "../api";
import { useApp } from "../context";
import { errorText, t } from "../i18n";
import { isoToDisplay, timeAgo } from "../lib/dates";
import { agoText } from "../components/SyncBar";
import { ErrorBox } from "../components/ui";
import { EnrollForm } from "./FirstRun";

export function SyncScreen() {
  const { sync: s, setSync } = useApp();
  const [err, setErr] = useState<ApiError | null>(null);
  const [done, setDone] = useState(false);
  const now = Date.now();
  const syncNow = async () => {
    setErr(null);
    try {
      setSync(await api.syncNow());
    } catch (e) {
      setErr(toApiError(e));
    }
  };
  const last = s.last_error ? errorText(s.last_error.code) : null;
  return (
    <div class="screen" data-screen="sync">
      <h1>{t("sync.title")}</h1>
      {!s.enrolled || s.last_error?.code === "UNAUTHORIZED" || s.last_error?.code === "REVOKED" ? (
        <>
          <p class="note">{t("sync.not_enrolled")}</p>
          <EnrollForm
            initialServer={s.server_url ?? ""}
            onDone={(x) => {
              setSync(x);
              setDone(true);
            }}
          />
        </>
      ) : null}
      {done && <p class="note ok">{t("enroll.done")}</p>}
      <dl class="facts">
        <dt>{t("sync.pending_long")}</dt>
        <dd data-testid="sync-detail-pending">{s.pending}</dd>
        <dt>{t("sync.last_long")}</dt>
        <dd>
          {s.last_success ? `${agoText(timeAgo(s.last_success, now))} (${isoToDisplay(s.last_success)} ${new Date(s.last_success).toLocaleTimeString()})` : t("sync.never")}
        </dd>
        {s.syncing && (
          <>
            <dt>{t("sync.title")}</dt>
            <dd>{t("sync.syncing")}</dd>
          </>
        )}
        {s.next_attempt_in_s !== null && s.next_attempt_in_s !== undefined && s.enrolled && (
          <>
            <dt>&nbsp;</dt>
            <dd>{t("sync.next", { n: Math.round(s.next_attempt_in_s) })}</dd>
          </>
        )}
        <dt>{t("sync.set_aside")}</dt>
        <dd data-testid="sync-set-aside">{s.set_aside}</dd>
        {s.server_url && (
          <>
            <dt>{t("sync.server")}</dt>
            <dd class="small">{s.server_url}</dd>
          </>
        )}
        {s.area && (
          <>
            <dt>{t("sync.area")}</dt>
            <dd>{s.area}</dd>
          </>
        )}
        {s.device_id && (
          <>
            <dt>{t("sync.device")}</dt>
            <dd class="small">{s.device_id}</dd>
          </>
        )}
      </dl>
      <p class="muted">{t("sync.set_aside_help")}</p>
      {last && (
        <div class="error" data-testid="error" data-code={s.last_error!.code}>
          <strong>{t("sync.error")}:</strong> {last.what} {last.todo}
        </div>
      )}
      <ErrorBox error={err} />
      {s.enrolled && (
        <button class="btn primary wide" onClick={syncNow} disabled={s.syncing} data-testid="sync-now-big">
          {t("sync.now")}
        </button>
      )}
    </div>
  );
}
