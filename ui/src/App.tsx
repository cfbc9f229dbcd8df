import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, onApiError, onDataChanged, onSyncState, toApiError, type ApiError } from "./api";
import type { AppState, SyncState, Worker } from "./bindings";
import { LANGUAGES, language, setLanguage, t } from "./i18n";
import { throttle } from "./lib/throttle";
import { AppCtx, type Ctx, type Tab } from "./context";
import { SyncBar } from "./components/SyncBar";
import { ErrorBox, Icon, Loading, Sheet } from "./components/ui";
import { EnrollForm, LanguagePick, StartChoice, WorkerForm } from "./screens/FirstRun";
import { LockScreen } from "./screens/Lock";
import { lazyScreen } from "./lib/lazy";

// The tabs' screens, each a chunk of its own: not parsed before the first screen (the PIN
// screen on a phone in use), preloaded as soon as it is interactive.
const SurveyScreen = lazyScreen(() => import("./screens/Survey").then((m) => m.SurveyScreen));
const SessionScreen = lazyScreen(() => import("./screens/Session").then((m) => m.SessionScreen));
const SupervisorScreen = lazyScreen(() => import("./screens/Supervisor").then((m) => m.SupervisorScreen));
const RoundScreen = lazyScreen(() => import("./screens/Round").then((m) => m.RoundScreen));
const CasesScreen = lazyScreen(() => import("./screens/Cases").then((m) => m.CasesScreen));
const SyncScreen = lazyScreen(() => import("./screens/SyncScreen").then((m) => m.SyncScreen));
const SCREENS = [SurveyScreen, SessionScreen, SupervisorScreen, RoundScreen, CasesScreen, SyncScreen];

/** Loads every tab's screen (after the first screen; the tests, before they start). */
export function preloadScreens(): Promise<void> {
  return Promise.all(SCREENS.map((s) => s.preload())).then(() => {});
}

type Phase = "loading" | "failed" | "language" | "start" | "enroll" | "create_worker" | "lock" | "add_worker" | "main";

const HOME: Record<string, Tab> = { asha: "survey", anm: "session", supervisor: "supervisor" };
const TABS: Tab[] = ["survey", "session", "round", "cases", "supervisor", "sync"];

let readySent = false;
/** Tells the shell the first screen is interactive (once; errors ignored). */
function uiReady(screen: string) {
  if (readySent) return;
  readySent = true;
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      api.uiReady(screen).catch(() => {});
      preloadScreens().catch(() => {});
    }),
  );
}

export function App() {
  const [app, setApp] = useState<AppState | null>(null);
  const [bootErr, setBootErr] = useState<ApiError | null>(null);
  const [phase, setPhase] = useState<Phase>("loading");
  const [worker, setWorker] = useState<Worker | null>(null);
  const [sync, setSync] = useState<SyncState | null>(null);
  const [tab, setTab] = useState<Tab>("survey");
  const [locked, setLocked] = useState(false);
  const [menu, setMenu] = useState(false);
  const [dataVersion, setDataVersion] = useState(0);
  const [, setLangCode] = useState(language());
  const [addAfterSignIn, setAddAfterSignIn] = useState(false);
  // A session another tab asks the session tab to show (the plan's "Start session").
  const [shownSession, setShownSession] = useState<{ id: string; n: number } | null>(null);
  // Tabs once opened stay mounted (hidden), so a worker keeps her place when switching.
  const seen = useRef(new Set<Tab>());
  if (phase === "main") seen.current.add(tab);
  // A tab shown again reloads its data: another tab may have changed it (a village added in the
  // survey is a session site at once).
  const showTab = (x: Tab) => {
    setTab(x);
    if (x !== tab) setDataVersion((v) => v + 1);
  };
  const phaseRef = useRef(phase);
  phaseRef.current = phase;

  const boot = async () => {
    setPhase("loading");
    try {
      const s = await api.appState();
      setApp(s);
      setSync(s.sync);
      setLangCode(setLanguage(s.language));
      setWorker(s.signed_in);
      if (!s.language) setPhase("language");
      else if (s.workers.length === 0) setPhase("start");
      else if (s.signed_in) {
        setTab(HOME[s.signed_in.role] ?? "survey");
        setPhase("main");
      } else setPhase("lock");
    } catch (e) {
      setBootErr(toApiError(e));
      setPhase("failed");
    }
  };

  useEffect(() => {
    boot();
    const unsubs: (() => void)[] = [];
    onSyncState((s) => setSync(s)).then((u) => unsubs.push(u), () => {});
    onDataChanged(() => setDataVersion((v) => v + 1)).then((u) => unsubs.push(u), () => {});
    unsubs.push(
      onApiError((e) => {
        if (e.code === "LOCKED" && phaseRef.current === "main") setLocked(true);
      }),
    );
    return () => unsubs.forEach((u) => u());
  }, []);

  useEffect(() => {
    if (phase !== "loading" && phase !== "failed") uiReady(phase === "main" ? tab : phase);
  }, [phase]);

  // Activity: report it (throttled); lock after the core's inactivity limit.
  useEffect(() => {
    if (phase !== "main" || locked || !app) return;
    const report = throttle(() => api.touch().catch(() => {}), 30000);
    let last = Date.now();
    const onActivity = () => {
      last = Date.now();
      report();
    };
    const limit = Math.max(1, app.lock_after_minutes || 5) * 60000;
    const timer = setInterval(() => {
      if (Date.now() - last >= limit) {
        api.lock().catch(() => {});
        setLocked(true);
      }
    }, 15000);
    const evs = ["pointerdown", "keydown", "scroll"];
    evs.forEach((e) => window.addEventListener(e, onActivity, { passive: true, capture: true }));
    return () => {
      clearInterval(timer);
      evs.forEach((e) => window.removeEventListener(e, onActivity, { capture: true }));
    };
  }, [phase, locked, app]);

  const refreshApp = async () => {
    try {
      const s = await api.appState();
      setApp(s);
      setSync(s.sync);
      return s;
    } catch {
      return app;
    }
  };

  const chooseLanguage = async (code: string) => {
    setLangCode(setLanguage(code));
    setMenu(false);
    await api.setLanguage(code).catch(() => {});
    if (phase === "language") setPhase(app && app.workers.length > 0 ? (worker ? "main" : "lock") : "start");
  };

  const signedIn = (w: Worker, first = false) => {
    setWorker(w);
    setLocked(false);
    refreshApp();
    if (addAfterSignIn) {
      setAddAfterSignIn(false);
      setPhase("add_worker");
      return;
    }
    if (first || phase !== "main") setTab(HOME[w.role] ?? "survey");
    // Back from the lock: what failed with LOCKED meanwhile is read again.
    else setDataVersion((v) => v + 1);
    setPhase("main");
  };

  const doLock = async () => {
    setMenu(false);
    await api.lock().catch(() => {});
    setLocked(true);
  };

  const ctx: Ctx | null = useMemo(
    () =>
      app && sync
        ? {
            app,
            worker,
            sync,
            dataVersion,
            today: app.today,
            setTab: (x: Tab) => setTab(x),
            setSync,
            shown: shownSession,
            showSession: (id: string) => {
              setShownSession({ id, n: (shownSession?.n ?? 0) + 1 });
              seen.current.add("session");
              setTab("session");
            },
          }
        : null,
    [app, worker, sync, dataVersion, shownSession],
  );

  if (phase === "loading") return <main class="screen center"><Loading /></main>;
  if (phase === "failed" || !app || !sync || !ctx)
    return (
      <main class="screen center">
        <ErrorBox error={bootErr ?? "UNKNOWN"} />
        <button class="btn" onClick={boot} data-testid="retry">{t("common.retry")}</button>
      </main>
    );

  const showMain = phase === "main";
  return (
    <AppCtx.Provider value={ctx}>
      <div class="app">
        <SyncBar sync={sync} onSync={setSync} onMenu={showMain && !locked ? () => setMenu(true) : undefined} />
        {phase === "language" && <LanguagePick onPick={chooseLanguage} />}
        {phase === "start" && <StartChoice onConnect={() => setPhase("enroll")} onOffline={() => setPhase("create_worker")} />}
        {phase === "enroll" && (
          <main class="screen">
            <h1>{t("start.connect")}</h1>
            <p class="muted">{t("start.connect_help")}</p>
            <EnrollForm
              onDone={(s) => {
                setSync(s);
                setPhase("create_worker");
              }}
              onCancel={() => setPhase("start")}
            />
          </main>
        )}
        {phase === "create_worker" && <WorkerForm onDone={(w) => signedIn(w, true)} />}
        {phase === "add_worker" && (
          <WorkerForm title={t("worker.add")} by={worker} onDone={(w) => signedIn(w, true)} onCancel={() => setPhase(worker ? "main" : "lock")} />
        )}
        {(phase === "lock" || (showMain && locked)) && (
          <LockScreen
            workers={app.workers}
            addPending={addAfterSignIn}
            onSignedIn={(w) => signedIn(w)}
            onAddWorker={() => setAddAfterSignIn(true)}
          />
        )}
        {showMain && (
          <div class="main" hidden={locked}>
            <div class="content">
              {TABS.filter((x) => seen.current.has(x)).map((x) => (
                <div key={x} hidden={tab !== x}>
                  {x === "survey" ? <SurveyScreen /> : x === "session" ? <SessionScreen /> : x === "round" ? <RoundScreen /> : x === "cases" ? <CasesScreen /> : x === "supervisor" ? <SupervisorScreen /> : <SyncScreen />}
                </div>
              ))}
            </div>
            <nav class="tabbar">
              {TABS.map((x) => (
                <button key={x} class={tab === x ? "on" : ""} aria-current={tab === x ? "page" : undefined} onClick={() => showTab(x)} data-testid={`tab-${x}`}>
                  <Icon name={x} />
                  <span>{t("tab." + x)}</span>
                </button>
              ))}
            </nav>
          </div>
        )}
        {menu && (
          <Sheet title={t("menu.title")} onClose={() => setMenu(false)} testid="menu-sheet">
            {worker && <p class="muted">{t("menu.signed_in", { name: worker.name })} · {t("role." + worker.role)}</p>}
            <h3>{t("menu.language")}</h3>
            <div class="choice-row">
              {LANGUAGES.map((l) => (
                <button key={l.code} lang={l.code} class={`choice ${language() === l.code ? "on" : ""}`} onClick={() => chooseLanguage(l.code)} data-testid={`menu-lang-${l.code}`}>
                  {l.dict["lang.name"]}
                </button>
              ))}
            </div>
            {!sync.enrolled && (
              <button class="btn wide" onClick={() => { setMenu(false); setTab("sync"); }} data-testid="menu-connect">
                {t("menu.connect")}
              </button>
            )}
            <button class="btn wide" onClick={() => { setMenu(false); setPhase("add_worker"); }} data-testid="menu-add-worker">
              {t("worker.add")}
            </button>
            <button class="btn wide" onClick={doLock} data-testid="menu-lock">
              <Icon name="lock" /> {t("menu.lock")}
            </button>
          </Sheet>
        )}
      </div>
    </AppCtx.Provider>
  );
}

