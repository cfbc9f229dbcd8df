//! A minimal Tauri v2 app: one window, one static page, one command that the start-up probe of
//! `scripts/bench-app.sh` calls. Measured beside Teeka's app in the same run.

#[tauri::command]
fn ready(app: tauri::AppHandle) {
    if let Some(probe) = std::env::var_os("TEEKA_STARTUP_PROBE") {
        println!("ready screen=minimal");
        if probe != "stay" {
            app.exit(0);
        }
    }
}

fn main() {
    let result =
        tauri::Builder::default().invoke_handler(tauri::generate_handler![ready]).run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("minimal: {e}");
        std::process::exit(1);
    }
}
