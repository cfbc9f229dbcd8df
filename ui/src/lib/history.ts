// A record's history (`record_history`) in the worker's language: each change in words, its
// time as the phone that made it read its clock.
import type { Change, HistoryEntry } from "../bindings";
import { doseName, hasKey, reasonName, t } from "../i18n";
import { onsetParts } from "./aefi";
import { isoToDisplay } from "./dates";

/** A field's name in words (an unknown one shows itself). */
export function fieldName(f: string): string {
  return hasKey("hfield." + f) ? t("hfield." + f) : f;
}

const fields = (fs: string[]) => fs.map(fieldName).join(", ");

/** What a change did, in words. */
export function changeText(c: Change): string {
  switch (c.type) {
    case "registered":
    case "changed":
    case "household_registered":
    case "household_changed":
    case "aefi_changed":
      return t("history." + c.type, { fields: fields(c.fields) });
    case "dose_given":
      return t("history.dose_given", { dose: doseName(c.code), date: isoToDisplay(c.date) });
    case "dose_not_given":
      return t("history.dose_not_given", { dose: doseName(c.code), date: isoToDisplay(c.date), reason: reasonName(c.reason) });
    case "not_given_withdrawn":
      return t("history.not_given_withdrawn", { n: c.records });
    case "aefi_reported":
      return t("history.aefi_reported", { severity: t("severity." + c.severity), date: isoToDisplay(c.date) });
    case "delivery_recorded":
      return t("history.delivery_recorded", { date: isoToDisplay(c.date), outcome: t("outcome." + c.outcome), n: c.newborns });
    case "area_defined":
      return t("history.area_defined", { name: c.name });
    default:
      return t("history.other");
  }
}

/** An RFC 3339 time as DD/MM/YYYY HH:MM in this phone's time zone. */
export function timeText(ts: string): string {
  const at = onsetParts(ts);
  return at ? `${isoToDisplay(at.date)} ${at.time}` : "";
}

/** Who made it and where: the worker, and this phone or another one (its id's first 8 digits). */
export function whoText(e: HistoryEntry): string {
  const where = e.this_device ? t("history.this_phone") : t("history.other_phone", { id: e.device_id.slice(0, 8) });
  return `${t("history.by", { name: e.author })} · ${where}`;
}
