// The supervisor's history of one record: who changed it, what, when and from which phone,
// newest first, with its corrections and the changes another phone's later change replaced.
import { useEffect, useState } from "preact/hooks";
import { api, toApiError, type ApiError } from "../api";
import type { RecordHistory as History } from "../bindings";
import { t } from "../i18n";
import { changeText, fieldName, timeText, whoText } from "../lib/history";
import { ErrorBox, Loading, Sheet } from "./ui";

export function RecordHistory({ register_id, name, onClose }: { register_id: string; name: string; onClose: () => void }) {
  const [h, setH] = useState<History | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  useEffect(() => {
    api.recordHistory(register_id).then(setH, (e) => setErr(toApiError(e)));
  }, [register_id]);
  return (
    <Sheet title={t("history.title", { name: h?.name ?? name })} onClose={onClose} testid="record-history">
      <ErrorBox error={err} />
      {!h && !err && <Loading />}
      {h && h.entries.length === 0 && <p class="muted">{t("history.none")}</p>}
      {h && h.entries.length > 0 && (
        <>
          <p class="muted">{t("history.clock")}</p>
          <ol class="plain timeline">
            {h.entries.map((e) => (
              <li
                key={e.event_id}
                class={`history-entry ${e.corrected || e.lost.length ? "superseded" : ""}`}
                data-testid="history-entry"
                data-type={e.change.type}
                data-this-device={String(e.this_device)}
              >
                <div class="row-main">{changeText(e.change)}</div>
                <div class="row-sub">
                  <time dateTime={e.recorded_at}>{timeText(e.recorded_at)}</time> · {whoText(e)}
                </div>
                <div class="tags">
                  {e.pending && <span class="tag warn" data-testid="history-pending">{t("history.pending")}</span>}
                  {e.corrects.length > 0 && <span class="tag">{t("history.corrects")}</span>}
                  {e.corrected && <span class="tag warn" data-testid="history-corrected">{t("history.corrected")}</span>}
                </div>
                {e.lost.length > 0 && (
                  <p class="note" data-testid="history-lost">
                    {t("history.lost", { fields: e.lost.map(fieldName).join(", ") })}
                  </p>
                )}
              </li>
            ))}
          </ol>
        </>
      )}
    </Sheet>
  );
}
