import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { AppState, SyncState, Worker } from "./bindings";

export interface Ctx {
  app: AppState;
  worker: Worker | null;
  sync: SyncState;
  /** Bumped on `data-changed`: screens reload their data. */
  dataVersion: number;
  /** ISO today, from the shell. */
  today: string;
  setTab: (tab: Tab) => void;
  setSync: (s: SyncState) => void;
  /** The session another tab asked the session tab to show (`n` bumps on each ask). */
  shown: { id: string; n: number } | null;
  /** Shows a session on the session tab (the plan's "Start session"). */
  showSession: (id: string) => void;
}

export type Tab = "survey" | "session" | "round" | "cases" | "supervisor" | "sync";

export const AppCtx = createContext<Ctx>(null as unknown as Ctx);
export const useApp = () => useContext(AppCtx);
