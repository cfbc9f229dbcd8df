//! Teeka's app: a thin Tauri v2 shell. Each Tauri command forwards to one method of
//! [`teeka_app::App`] (the device core's app API, docs/app-api.md) with the clock read here, at the
//! edge. Sync (the background worker, enroll, devices) is `teeka_app::sync`'s; the shell emits
//! what the worker reports. Errors cross to the UI as `{code, message}`.

use chrono::{NaiveDate, Utc};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;
use tauri::ipc::Response;
use tauri::{AppHandle, Emitter, Manager, State};
use teeka_app::sync::{Kick, Notify, SyncHandle};
use teeka_app::types::*;
use teeka_app::{App, AppError, Clock};

/// Everything the commands share.
pub struct Core {
    app: Mutex<App>,
    /// How the shell's own connections (enroll, devices) open the store: only once it is open.
    access: teeka_app::StoreAccess,
    sync: SyncHandle,
    started: Instant,
}

/// The worker's way to tell the UI.
struct Events(AppHandle);

impl Notify for Events {
    fn state_changed(&self) {
        if let Some(core) = self.0.try_state::<Core>() {
            if let Ok(state) = core.sync_state() {
                let _ = self.0.emit("sync-state", state);
            }
        }
    }

    fn data_changed(&self) {
        let _ = self.0.emit("data-changed", ());
    }
}

/// The worker's calendar date: `TEEKA_TODAY` (YYYY-MM-DD, for demos and tests) or the local date.
fn today() -> NaiveDate {
    std::env::var("TEEKA_TODAY")
        .ok()
        .and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok())
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

fn clock() -> Clock {
    Clock { now: Utc::now(), today: today() }
}

// Requests are read here (`teeka_app::request`) rather than by Tauri, so that a malformed one
// comes back as `INVALID_INPUT` naming the command and the field, like every other error.
use teeka_app::request;

fn json<T: serde::Serialize>(value: &T) -> Result<Response, AppError> {
    serde_json::to_string(value)
        .map(Response::new)
        .map_err(|e| AppError::new(teeka_app::AppCode::Internal, format!("cannot encode the answer: {e}")))
}

impl Core {
    fn app(&self) -> MutexGuard<'_, App> {
        // A command that panicked left the App as its last committed transaction did: the store
        // is transactional, so carrying on is safe.
        self.app.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The sync state, as the app's core makes it (the store's part and the worker's).
    fn sync_state(&self) -> Result<teeka_app::SyncState, AppError> {
        self.app().sync_state(teeka_app::SyncStateReq {}, clock())
    }
}

/// One Tauri command per `read` or `write` line of `teeka_app::local_commands!` (the one
/// declaration of the commands): it reads the request, calls the method of `App` with the clock
/// read here, and answers; a `write` wakes the sync worker and tells the UI the new pending count
/// at once. The `shell` lines are the functions below.
macro_rules! tauri_commands {
    ($($access:ident $name:ident($req:ty) -> $resp:ty;)*) => {
        $(tauri_commands!(@command $access $name($req) -> $resp);)*
    };
    (@command shell $name:ident($req:ty) -> $resp:ty) => {};
    (@command $access:ident $name:ident($req:ty) -> $resp:ty) => {
        #[tauri::command(async)]
        fn $name(core: State<'_, Core>, handle: AppHandle, req: serde_json::Value) -> Result<Response, AppError> {
            let req: $req = teeka_app::request(stringify!($name), req)?;
            let answer: $resp = core.app().$name(req, clock())?;
            tauri_commands!(@after $access core handle);
            json(&answer)
        }
    };
    (@after write $core:ident $handle:ident) => {
        $core.sync.kick(Kick::Changed);
        if let Ok(state) = $core.sync_state() {
            let _ = $handle.emit("sync-state", state);
        }
    };
    (@after read $core:ident $handle:ident) => { let _ = &$handle; };
}

teeka_app::local_commands!(tauri_commands);

/// The invoke handler: every command of `teeka_app::local_commands!`.
macro_rules! invoke_handler {
    ($($access:ident $name:ident($req:ty) -> $resp:ty;)*) => {
        tauri::generate_handler![$($name,)*]
    };
}

#[tauri::command(async)]
fn sync_now(core: State<'_, Core>, req: serde_json::Value) -> Result<teeka_app::SyncState, AppError> {
    let SyncNowReq {} = request("sync_now", req)?;
    core.sync.kick(Kick::Now);
    core.sync_state()
}

/// Enrolls this device (`teeka_app::sync::enroll`, on a connection of its own), then syncs at
/// once.
#[tauri::command]
async fn enroll(core: State<'_, Core>, req: serde_json::Value) -> Result<teeka_app::SyncState, AppError> {
    let req: EnrollReq = request("enroll", req)?;
    teeka_app::sync::enroll(&core.access, req).await?;
    core.sync.kick(Kick::Now);
    core.sync_state()
}

/// The devices of the enrolled area, from the server (online only).
#[tauri::command]
async fn devices(core: State<'_, Core>, req: serde_json::Value) -> Result<Response, AppError> {
    let DevicesReq {} = request("devices", req)?;
    json(&teeka_app::sync::devices(&core.access).await?)
}

/// Opens a saved evening pack's file with the system's program for it, or shows it in its
/// folder (`tauri-plugin-opener`, called from here only: the UI has no opener permission, and
/// `App::pack_file` lets it name only a pack's file in the directory for packs). Showing a file
/// in its folder is the desktop's; on a phone it is `CANNOT_OPEN`.
#[tauri::command(async)]
fn open_pack(core: State<'_, Core>, app: AppHandle, req: serde_json::Value) -> Result<(), AppError> {
    use tauri_plugin_opener::OpenerExt;
    let req: OpenPackReq = request("open_pack", req)?;
    let how = req.how()?;
    let path = core.app().pack_file(&req.file, clock())?;
    let opened = match how {
        OpenHow::Open => app.opener().open_path(path.display().to_string(), None::<&str>),
        OpenHow::Reveal => app.opener().reveal_item_in_dir(&path),
    };
    opened.map_err(|e| {
        AppError::new(teeka_app::AppCode::CannotOpen, format!("{} could not be opened: {e}", path.display()))
    })
}

/// The UI's first screen is interactive. With `TEEKA_STARTUP_PROBE` set the app prints the time
/// since it started, and exits unless the value is `stay` (the start-up and memory benchmarks).
#[tauri::command]
fn ui_ready(core: State<'_, Core>, app: AppHandle, req: serde_json::Value) -> Result<(), AppError> {
    let req: UiReadyReq = request("ui_ready", req)?;
    let ms = core.started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!("first screen '{}' interactive {ms:.0} ms after start", req.screen);
    if let Some(probe) = std::env::var_os("TEEKA_STARTUP_PROBE") {
        println!("ready screen={} ms={ms:.1}", req.screen);
        if probe != "stay" {
            app.exit(0);
        }
    }
    Ok(())
}

/// Where the store lives: `TEEKA_STORE` if set, else `teeka.db` in the app's data directory.
fn store_path(app: &AppHandle) -> Result<PathBuf, Box<dyn std::error::Error>> {
    if let Some(p) = std::env::var_os("TEEKA_STORE") {
        return Ok(PathBuf::from(p));
    }
    let dir = app.path().app_data_dir()?;
    std::fs::create_dir_all(&dir)?;
    Ok(dir.join("teeka.db"))
}

/// Where the evening packs are saved: `TEEKA_PACK_DIR` if set, else `evening-packs` in the
/// app's data directory (the app's own, on a phone too; created when a pack is made).
fn pack_dir(app: &AppHandle) -> Result<PathBuf, Box<dyn std::error::Error>> {
    if let Some(p) = std::env::var_os("TEEKA_PACK_DIR") {
        return Ok(PathBuf::from(p));
    }
    Ok(app.path().app_data_dir()?.join(teeka_app::PACK_DIR_NAME))
}

fn open_core(app: &AppHandle, started: Instant) -> Result<Core, Box<dyn std::error::Error>> {
    let path = store_path(app)?;
    let mut core_app = App::open(Path::new(&path))?;
    core_app.set_pack_dir(pack_dir(app)?);
    let access = core_app.access();
    let sync = teeka_app::sync::start(access.clone(), Events(app.clone()));
    core_app.attach_sync(sync.clone());
    Ok(Core { app: Mutex::new(core_app), access, sync, started })
}

/// Runs the app (the desktop `main` and the mobile entry point).
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let started = Instant::now();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TEEKA_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,teeka_desktop=info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_opener::init())
        .setup(move |app| {
            let core = open_core(app.handle(), started)?;
            app.manage(core);
            Ok(())
        })
        .invoke_handler(teeka_app::local_commands!(invoke_handler))
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("teeka-app: {e}");
        std::process::exit(1);
    }
}
