// A walk-in at a session: someone not on its list, added to the register without leaving the
// session (the survey's forms), then shown in the list with their doses due.
import { useEffect, useState } from "preact/hooks";
import { api, toApiError, type ApiError } from "../api";
import type { Household, SessionItem, SessionRecord as Session } from "../bindings";
import { t } from "../i18n";
import { ChildForm, HouseholdForm, WomanForm } from "./BeneficiaryForms";
import { ErrorBox, Loading, Sheet } from "./ui";

type Step = { k: "household" } | { k: "new_household" } | { k: "child" | "woman"; household: Household };

export function WalkIn({ session, onAdded, onClose }: { session: Session; onAdded: (item: SessionItem) => void; onClose: () => void }) {
  const [households, setHouseholds] = useState<Household[] | null>(null);
  const [chosen, setChosen] = useState("");
  const [step, setStep] = useState<Step>({ k: "household" });
  const [err, setErr] = useState<ApiError | null>(null);
  useEffect(() => {
    api.households(session.site_id).then(setHouseholds, (e) => setErr(toApiError(e)));
  }, [session.site_id]);
  const village = { id: session.site_id };
  // The person saved (or the similar child the worker chose) as the session sees them.
  const show = async (register_id: string) => {
    try {
      onAdded(await api.sessionItem(session.id, register_id));
    } catch (e) {
      setStep({ k: "household" });
      setErr(toApiError(e));
    }
  };
  if (step.k === "new_household")
    return (
      <HouseholdForm
        village={village}
        onClose={() => setStep({ k: "household" })}
        onDone={(h) => {
          setHouseholds((hs) => [...(hs ?? []), h]);
          setChosen(h.id);
          setStep({ k: "household" });
        }}
        onOpen={(h) => {
          // The similar household already in the village: choose it instead of a new one.
          setChosen(h.id);
          setStep({ k: "household" });
        }}
      />
    );
  if (step.k === "child") return <ChildForm household={step.household} onClose={() => setStep({ k: "household" })} onSaved={(m) => show(m.register_id)} onOpen={show} />;
  if (step.k === "woman") return <WomanForm household={step.household} onClose={() => setStep({ k: "household" })} onSaved={(m) => show(m.register_id)} />;
  const household = households?.find((h) => h.id === (chosen || households[0]?.id));
  return (
    <Sheet title={t("walkin.title")} onClose={onClose} testid="walk-in">
      <ErrorBox error={err} />
      {!households && !err && <Loading />}
      {households && (
        <div class="form">
          <label class="field">
            <span class="label">{t("walkin.household")}</span>
            <select value={household?.id ?? ""} onChange={(e) => setChosen(e.currentTarget.value)} data-testid="walk-in-household">
              {households.map((h) => (
                <option key={h.id} value={h.id}>
                  {[h.house_no, h.head_of_household].filter(Boolean).join(" · ") || h.household_id}
                </option>
              ))}
            </select>
          </label>
          <button type="button" class="btn wide" onClick={() => setStep({ k: "new_household" })} data-testid="walk-in-new-household">
            {t("walkin.new_household")}
          </button>
          {household && (
            <>
              <h3>{t("walkin.who")}</h3>
              <div class="actions">
                <button type="button" class="btn primary" onClick={() => setStep({ k: "child", household })} data-testid="walk-in-child">
                  {t("survey.add_child")}
                </button>
                <button type="button" class="btn primary" onClick={() => setStep({ k: "woman", household })} data-testid="walk-in-woman">
                  {t("survey.add_woman")}
                </button>
              </div>
            </>
          )}
        </div>
      )}
    </Sheet>
  );
}
