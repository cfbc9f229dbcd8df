//! `teeka-server`: the central server and its administration commands. Thin: arguments, the
//! database, the service; the commands are documented in docs/cli.md.

use anyhow::{bail, Context};
use chrono::{Duration, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use teeka_protocol::Role;
use teeka_server::service::AdminError;
use teeka_server::tls::{TlsError, TlsListener};
use teeka_server::{Database, DatabaseUrl, DbError, Service, SqliteDb};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "teeka-server", version, about = "Teeka's central server: enrollment and sync of devices")]
struct Cli {
    /// `sqlite:PATH` (embedded, nothing to install) or `postgres://USER@HOST:PORT/DB`.
    #[arg(long, env = "TEEKA_DATABASE_URL", value_name = "URL", value_parser = url_arg)]
    database_url: DatabaseUrl,
    /// The passphrase of an encrypted embedded database (`sqlite:PATH`, SQLCipher), read from FILE
    /// (its first line); else from the environment variable TEEKA_SERVER_PASSPHRASE. Given to a
    /// database not yet made, it makes it encrypted; given to a plain one, it encrypts it in place.
    #[arg(long, value_name = "FILE", global = true)]
    passphrase_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve devices over HTTP, or HTTPS with a certificate, until interrupted (SIGINT/SIGTERM end
    /// it gracefully).
    Serve {
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Serve TLS with this PEM certificate chain (the server's certificate first).
        #[arg(long, value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The PEM private key of --tls-cert.
        #[arg(long, value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Import data.
    #[command(subcommand)]
    Import(Import),
    /// Make a one-time enrollment code for a device (printed as the last line).
    Enroll {
        /// The device's area: the name of any level, or a path such as Sitapur/Mahmudabad/Rampur.
        #[arg(long)]
        area: String,
        #[arg(long, value_parser = role_arg)]
        role: Role,
        /// How long the code stays valid.
        #[arg(long, default_value_t = 72)]
        valid_hours: u32,
    },
    /// Cut a device off: its token is refused from now on.
    Revoke {
        #[arg(long, value_name = "ID")]
        device: uuid::Uuid,
    },
    /// Every device: area, role, last sync, events pending as last reported, clock skew.
    Devices {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Campaign planning from the server's log.
    #[command(subcommand)]
    Plan(Plan),
    /// A round's report for an area: its figures summed from the villages below it, the total
    /// first and each child area on its own row, then antigens, wastage, sessions not held,
    /// activities and the red list (`docs/formats.md`, "Round report").
    Report {
        /// The round's number.
        #[arg(long)]
        round: u32,
        /// Any area: a name or a path such as Sitapur/Mahmudabad.
        #[arg(long)]
        area: String,
        /// The day reported on (YYYY-MM-DD; default today): the round's days up to it.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date_arg)]
        on: Option<teeka_domain::Date>,
        /// `pdf` and `png`: the task force's evening pack, one page.
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
        /// The evening pack's language (`pdf`, `png`).
        #[arg(long, value_enum, default_value_t = PackLang::En)]
        lang: PackLang,
        /// Write the report to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Who changed what: the trail of one beneficiary (register id or id), one device, or an area
    /// and below, from the server's log: the device and the worker of each change, the device's
    /// time and the server's receipt time, corrections, and the field writes that lost a
    /// last-writer-wins race (`docs/cli.md`, "audit").
    #[command(group(clap::ArgGroup::new("whose").required(true).args(["beneficiary", "device", "area"])))]
    Audit {
        #[arg(long, value_name = "ID")]
        beneficiary: Option<String>,
        #[arg(long, value_name = "ID")]
        device: Option<uuid::Uuid>,
        /// Any area: a name or a path such as Sitapur/Mahmudabad.
        #[arg(long, value_name = "AREA")]
        area: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Everything, in the shape of `teeka export --format json`; or, with `--format fhir`, an
    /// area's beneficiaries as FHIR ImmunizationRecord documents (NDJSON, one per line).
    Export {
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// The area (`--format fhir`): any name or path, as for `enroll`.
        #[arg(long, value_name = "AREA", required_if_eq("format", "fhir"))]
        area: Option<String>,
        /// The documents' author (`--format fhir`).
        #[arg(long, value_name = "NAME", default_value = "teeka-server")]
        author: String,
        /// The date whose due doses the documents recommend (default: today).
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        on: Option<teeka_domain::Date>,
    },
}

#[derive(Subcommand)]
enum Import {
    /// The area hierarchy: CSV with columns state, district, block, subcentre, village.
    Areas { file: PathBuf },
    /// FHIR ImmunizationRecord documents (NDJSON, a Bundle, or a collection of Bundles) into an
    /// area's register: matched, and what is new added as the server's events; all or nothing.
    Fhir {
        file: PathBuf,
        /// The area: any name or path, as for `enroll`. Every Patient's village must be in it.
        #[arg(long, value_name = "AREA")]
        area: String,
        /// The author of the events the import makes.
        #[arg(long, value_name = "NAME", default_value = "teeka-server")]
        author: String,
        /// The date taken as today (default: the server's): nothing dated after it is taken.
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        on: Option<teeka_domain::Date>,
    },
}

#[derive(Subcommand)]
enum Plan {
    /// A round's whole session plan for a block or a district: every site placed within the
    /// area, its sessions on the round's days and who is expected at each (sites without an ANM
    /// or a mobilizer first).
    Sessions {
        /// The round's number.
        #[arg(long)]
        round: u32,
        /// A block or district (any level): a name or a path such as Sitapur/Mahmudabad.
        #[arg(long)]
        area: String,
        #[arg(long, value_enum, default_value_t = PlanFormat::Json)]
        format: PlanFormat,
        /// Injections per session at a fixed site, MIN-MAX.
        #[arg(long, value_name = "MIN-MAX", default_value = "40-70", value_parser = capacity_arg)]
        fixed_size: teeka_domain::plan::Capacity,
        /// Injections per session at an outreach site (and a mobile one), MIN-MAX.
        #[arg(long, value_name = "MIN-MAX", default_value = "25-50", value_parser = capacity_arg)]
        outreach_size: teeka_domain::plan::Capacity,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum PlanFormat {
    Json,
    Csv,
}

fn capacity_arg(s: &str) -> Result<teeka_domain::plan::Capacity, String> {
    teeka_server::plan::parse_capacity(s)
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Table,
    Json,
    Csv,
    Pdf,
    Png,
}

#[derive(Clone, Copy, ValueEnum)]
enum PackLang {
    En,
    Hi,
}

impl PackLang {
    fn lang(self) -> teeka_pack::Lang {
        match self {
            PackLang::En => teeka_pack::Lang::En,
            PackLang::Hi => teeka_pack::Lang::Hi,
        }
    }
}

/// The evening pack's PNG width in pixels: an A4 page at about 150 dpi.
const PACK_PNG_WIDTH: u32 = 1240;

fn date_arg(s: &str) -> Result<teeka_domain::Date, String> {
    teeka_domain::parse_date(s).map_err(|e| e.to_string())
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Json,
    /// NDJSON: one FHIR R4 document Bundle per beneficiary per line.
    Fhir,
}

fn url_arg(s: &str) -> Result<DatabaseUrl, String> {
    s.parse()
}

fn role_arg(s: &str) -> Result<Role, String> {
    s.parse()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error[ERROR]: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = e
                .downcast_ref::<AdminError>()
                .map(AdminError::code)
                .or_else(|| e.downcast_ref::<TlsError>().map(TlsError::code))
                .or_else(|| e.downcast_ref::<DbError>().map(DbError::code))
                .unwrap_or("ERROR");
            eprintln!("error[{code}]: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The embedded database's passphrase: the first line of `file`, else `TEEKA_SERVER_PASSPHRASE`,
/// else none (a plain database).
fn passphrase(file: Option<&std::path::Path>) -> Result<Option<zeroize::Zeroizing<String>>, DbError> {
    let text = match file {
        Some(file) => zeroize::Zeroizing::new(
            std::fs::read_to_string(file)
                .map_err(|e| DbError::Passphrase(format!("cannot read the passphrase file {}: {e}", file.display())))?,
        ),
        None => match std::env::var("TEEKA_SERVER_PASSPHRASE") {
            Ok(p) => zeroize::Zeroizing::new(p),
            Err(_) => return Ok(None),
        },
    };
    let line = zeroize::Zeroizing::new(text.lines().next().unwrap_or("").to_string());
    if line.is_empty() {
        let what =
            file.map_or("TEEKA_SERVER_PASSPHRASE".to_string(), |f| format!("the passphrase file {}", f.display()));
        return Err(DbError::Passphrase(format!("{what} is empty")));
    }
    Ok(Some(line))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let passphrase = passphrase(cli.passphrase_file.as_deref())?;
    match &cli.database_url {
        DatabaseUrl::Sqlite(path) => {
            let db = SqliteDb::open_with(path, passphrase.as_deref().map(String::as_str))
                .with_context(|| format!("cannot open the database {}", path.display()))?;
            command(Service::new(db), cli.command).await
        }
        DatabaseUrl::Postgres(_) if passphrase.is_some() => Err(DbError::Passphrase(
            "a passphrase is for the embedded database (sqlite:PATH); PostgreSQL's data at rest is protected by \
             its encrypted volume (docs/security.md)"
                .into(),
        )
        .into()),
        DatabaseUrl::Postgres(url) => {
            let db = teeka_server::PgDb::connect(url).await.context("cannot open the PostgreSQL database")?;
            command(Service::new(db), cli.command).await
        }
    }
}

async fn command<D: Database>(svc: Service<D>, command: Command) -> anyhow::Result<()> {
    let now = Utc::now();
    match command {
        Command::Serve { listen, tls_cert, tls_key } => {
            // Read before binding, so that a bad certificate is refused before anything listens.
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(teeka_server::tls::server_config(&cert, &key)?),
                _ => None,
            };
            serve(svc, listen, tls).await?
        }
        Command::Import(Import::Areas { file }) => {
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let r = svc.import_areas(&bytes, now).await.map_err(admin)?;
            println!("imported {} rows: {} areas added", r.rows, r.added);
        }
        Command::Import(Import::Fhir { file, area, author, on }) => {
            let today = on.unwrap_or_else(|| now.with_timezone(&chrono::Local).date_naive());
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let refused = || format!("{} was refused", file.display());
            let records = teeka_domain::fhir::parse(&bytes, today).map_err(AdminError::from).with_context(refused)?;
            let s = svc.import_fhir(&area, &records, &author, today, now).await.map_err(admin).with_context(refused)?;
            for n in &s.notes {
                eprintln!("note: {n}");
            }
            for w in &s.warnings {
                eprintln!("warning: {w}");
            }
            println!(
                "imported {} records: {} beneficiaries added, {} matched by identifier, {} by register id; {} doses added",
                s.records, s.beneficiaries_added, s.matched_by_identifier, s.matched_by_register_id, s.doses_added
            );
        }
        Command::Enroll { area, role, valid_hours } => {
            let (code, area, expires) =
                svc.create_code(&area, role, Duration::hours(i64::from(valid_hours)), now).await.map_err(admin)?;
            println!("area: {}", area.path);
            println!("role: {}", role.as_str());
            println!("valid until: {}", expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            println!("{code}");
        }
        Command::Revoke { device } => {
            if !svc.db().revoke(device, now).await? {
                bail!("no device {device}");
            }
            println!("device {device} revoked");
        }
        Command::Devices { format } => {
            let devices = svc.db().devices().await?;
            let rows: Vec<serde_json::Value> = devices
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "device_id": d.id,
                        "area": d.area.path,
                        "role": d.role.as_str(),
                        "enrolled_at": d.enrolled_at,
                        "revoked_at": d.revoked_at,
                        "last_sync_at": d.last_sync_at,
                        "pending": d.pending,
                        "clock_skew_ms": d.clock_skew_ms,
                    })
                })
                .collect();
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "devices": rows }))?),
                Format::Table => {
                    println!(
                        "{:<36}  {:<10}  {:<20}  {:>7}  {:>10}  AREA",
                        "DEVICE", "ROLE", "LAST SYNC", "PENDING", "SKEW"
                    );
                    for d in &devices {
                        let last =
                            d.last_sync_at.map_or("never".to_string(), |t| t.format("%Y-%m-%d %H:%M").to_string());
                        let skew =
                            d.clock_skew_ms.map_or("-".to_string(), |s| format!("{:+.1}h", s as f64 / 3_600_000.0));
                        let role = if d.revoked_at.is_some() {
                            format!("{} (revoked)", d.role.as_str())
                        } else {
                            d.role.as_str().to_string()
                        };
                        let pending = d.pending.map_or("-".to_string(), |p| p.to_string());
                        println!(
                            "{:<36}  {:<10}  {:<20}  {:>7}  {:>10}  {}",
                            d.id, role, last, pending, skew, d.area.path
                        );
                    }
                }
            }
        }
        Command::Plan(Plan::Sessions { round, area, format, fixed_size, outreach_size }) => {
            let norms =
                teeka_domain::plan::SessionNorms { fixed: fixed_size, outreach: outreach_size, mobile: outreach_size };
            let plan = svc.plan_sessions(round, &area, &norms).await.map_err(admin)?;
            match format {
                PlanFormat::Json => println!("{}", serde_json::to_string_pretty(&plan)?),
                PlanFormat::Csv => print!("{}", teeka_server::plan::plan_csv(&plan)?),
            }
        }
        Command::Report { round, area, on, format, lang, output } => {
            let on = on.unwrap_or_else(|| now.with_timezone(&chrono::Local).date_naive());
            let report = svc.report(round, &area, on, now).await.map_err(admin)?;
            let bytes = match format {
                ReportFormat::Table => teeka_domain::monitor::report_table(&report).into_bytes(),
                ReportFormat::Json => format!("{}\n", serde_json::to_string_pretty(&report)?).into_bytes(),
                ReportFormat::Csv => teeka_domain::monitor::report_csv(&report).into_bytes(),
                ReportFormat::Pdf => teeka_pack::pack_pdf(&report, lang.lang())?,
                ReportFormat::Png => teeka_pack::pack_png(&report, lang.lang(), PACK_PNG_WIDTH)?,
            };
            match output {
                Some(path) => std::fs::write(&path, bytes).with_context(|| format!("--output {}", path.display()))?,
                None => std::io::Write::write_all(&mut std::io::stdout().lock(), &bytes)?,
            }
        }
        Command::Audit { beneficiary, device, area, format } => {
            use teeka_server::service::AuditRequest;
            let request = match (&beneficiary, device, &area) {
                (Some(b), _, _) => AuditRequest::Beneficiary(b),
                (_, Some(d), _) => AuditRequest::Device(d),
                (_, _, Some(a)) => AuditRequest::Area(a),
                _ => anyhow::bail!("give --beneficiary ID, --device ID or --area AREA"),
            };
            let trail = svc.audit(request).await.map_err(admin)?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&trail)?),
                Format::Table => print!("{}", teeka_domain::audit::audit_table(&trail)),
            }
        }
        Command::Export { format: ExportFormat::Json, area: None, .. } => {
            let export = svc.export().await.map_err(admin)?;
            println!("{}", serde_json::to_string_pretty(&export)?);
        }
        Command::Export { format: ExportFormat::Json, area: Some(_), .. } => {
            anyhow::bail!("--area is for --format fhir (the JSON export is the whole log's)");
        }
        Command::Export { format: ExportFormat::Fhir, area, author, on } => {
            let on = on.unwrap_or_else(|| now.with_timezone(&chrono::Local).date_naive());
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            svc.export_fhir_each(area.as_deref().unwrap_or_default(), &author, on, now, |b| {
                serde_json::to_writer(&mut out, &b)?;
                std::io::Write::write_all(&mut out, b"\n")?;
                Ok::<(), anyhow::Error>(())
            })
            .await?;
            std::io::Write::flush(&mut out)?;
        }
    }
    Ok(())
}

fn admin(e: AdminError) -> anyhow::Error {
    anyhow::Error::new(e)
}

async fn serve<D: Database>(
    svc: Service<D>,
    listen: SocketAddr,
    tls: Option<Arc<teeka_server::tls::ServerConfig>>,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    let local = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    tracing::info!(%local, scheme, "teeka-server listening");
    // Tests and scripts read the address from this line (useful with port 0).
    println!("listening on {scheme}://{local}");
    std::io::Write::flush(&mut std::io::stdout())?;
    let svc = Arc::new(svc);
    // The round report's folds, made ahead of the first report (they are kept in memory).
    let folding = svc.clone();
    tokio::spawn(async move {
        let t = std::time::Instant::now();
        match folding.fold_reports().await {
            Ok(blocks) => tracing::info!(blocks, ms = t.elapsed().as_millis() as u64, "report folds made"),
            Err(e) => tracing::warn!(error = %e, "report folds not made ahead; each report folds its own"),
        }
    });
    let app = teeka_server::http::router(svc);
    match tls {
        Some(config) => {
            let listener = TlsListener::new(listener, config)?;
            axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?
        }
        None => axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?,
    }
    tracing::info!("teeka-server stopped");
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}
