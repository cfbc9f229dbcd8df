//! The UI's TypeScript, generated from the Rust types with `ts-rs` (`ui/src/bindings.ts`).
//!
//! [`typescript`] writes one file: the declaration of every type that crosses to the UI (the
//! requests and responses of [`local_commands!`](crate::local_commands) and every type inside
//! them, the errors, the sync state, the server's device list), a `Commands` type mapping each
//! local command to its request and response (generated from the same declaration as
//! [`crate::App::call`]), and the code lists the UI offers, from the Rust `ALL` arrays. The test
//! `crates/app/tests/bindings.rs` fails when the committed file differs from it.

use crate::error::{AppCode, AppError};
use crate::types::*;
use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};
use teeka_domain::facts::MAX_NOTE;
use teeka_domain::{
    AefiSeverity, AefiSign, Antigen, BeneficiaryStatus, Kind, ReasonCode, Referral, RiskCategory, Sex, Warning,
    WorkerRole,
};
use teeka_domain::{Classification, DeliveryOutcome, DoseCode};
use teeka_protocol::DeviceInfo;
use ts_rs::{Config, TypeVisitor, TS};

/// Where the file lives, from the workspace's root.
pub const BINDINGS_PATH: &str = "ui/src/bindings.ts";

/// The command that rewrites the file from the Rust types.
pub const REFRESH_COMMAND: &str = "TEEKA_BLESS=1 cargo test -p teeka-app --test bindings";

/// Two Rust types that would have the same TypeScript name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("two Rust types are both named '{name}' in TypeScript ({first} and {second}): rename one with #[ts(rename)]")]
pub struct NameClash {
    pub name: String,
    pub first: &'static str,
    pub second: &'static str,
}

/// Collects the declaration of every type it visits and of every type inside them.
struct Declarations<'a> {
    cfg: &'a Config,
    seen: HashSet<TypeId>,
    /// By TypeScript name: the Rust type and the declaration (with its JSDoc).
    decls: BTreeMap<String, (&'static str, String)>,
    clash: Option<NameClash>,
}

impl TypeVisitor for Declarations<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        // A type with an output path is one of ours (derived); the others are built-in
        // (strings, numbers, arrays, options, dates, uuids): inlined by their users.
        if T::output_path().is_some() {
            let name = T::ident(self.cfg);
            let rust = std::any::type_name::<T>();
            let decl = format!("{}export {}", T::docs().unwrap_or_default(), T::decl(self.cfg));
            if let Some((first, _)) = self.decls.get(&name) {
                self.clash.get_or_insert(NameClash { name: name.clone(), first, second: rust });
            }
            self.decls.insert(name, (rust, decl));
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}

/// One local command's line of the `Commands` type.
struct CommandLine {
    name: &'static str,
    access: &'static str,
    req: String,
    resp: String,
}

/// Emits, from [`local_commands!`](crate::local_commands), the visit of every request and
/// response type and the lines of the `Commands` type.
macro_rules! commands_ts {
    ($($access:ident $name:ident($req:ty) -> $resp:ty;)*) => {
        fn visit_commands(v: &mut Declarations<'_>) {
            $(v.visit::<$req>(); v.visit::<$resp>();)*
        }

        fn command_lines(cfg: &Config) -> Vec<CommandLine> {
            vec![$(CommandLine {
                name: stringify!($name),
                access: stringify!($access),
                req: <$req as TS>::name(cfg),
                resp: <$resp as TS>::name(cfg),
            },)*]
        }
    };
}

crate::local_commands!(commands_ts);

/// The types that cross to the UI outside the local commands' answers: the errors every command
/// may reject with, the sync state the shell's events carry, the server's device list (the
/// shell's `devices`), and the code enums whose lists the UI offers.
fn visit_others(v: &mut Declarations<'_>) {
    v.visit::<AppError>();
    v.visit::<SyncState>();
    v.visit::<DeviceInfo>();
    v.visit::<Warning>();
    v.visit::<Kind>();
    v.visit::<BeneficiaryStatus>();
    v.visit::<Sex>();
    v.visit::<AefiSeverity>();
    v.visit::<AefiSign>();
    v.visit::<Referral>();
    v.visit::<WorkerRole>();
    v.visit::<RiskCategory>();
    v.visit::<DeliveryOutcome>();
}

/// A code list as a TypeScript constant: `export const NAME = [...] as const;`.
fn code_list(out: &mut String, doc: &str, name: &str, codes: impl IntoIterator<Item = String>) {
    let items: Vec<String> = codes.into_iter().map(|c| format!("\"{c}\"")).collect();
    out.push_str(&format!("/** {doc} */\nexport const {name} = [{}] as const;\n", items.join(", ")));
}

/// The whole of `ui/src/bindings.ts`.
pub fn typescript() -> Result<String, NameClash> {
    let cfg = Config::new().with_large_int("number");
    let mut v = Declarations { cfg: &cfg, seen: HashSet::new(), decls: BTreeMap::new(), clash: None };
    visit_commands(&mut v);
    visit_others(&mut v);
    if let Some(clash) = v.clash {
        return Err(clash);
    }

    let mut out = String::new();
    out.push_str("// Generated from the Rust types by crates/app/src/bindings.rs (ts-rs): do not edit.\n");
    out.push_str(&format!("// Refresh with: {REFRESH_COMMAND}\n"));
    out.push_str("/* eslint-disable */\n\n");
    for (_, decl) in v.decls.values() {
        out.push_str(decl);
        out.push_str("\n\n");
    }

    out.push_str("/** Every local command (`local_commands!` in crates/app): its request, its answer, and\n");
    out.push_str(" * whether it changes the register (`write`). */\n");
    out.push_str("export type Commands = {\n");
    for c in command_lines(&cfg) {
        out.push_str(&format!("  {}: {{ req: {}; resp: {}; access: \"{}\" }};\n", c.name, c.req, c.resp, c.access));
    }
    out.push_str("};\n\n");

    code_list(
        &mut out,
        "Every dose code, in schedule order.",
        "DOSE_CODES",
        DoseCode::ALL.iter().map(|c| c.to_string()),
    );
    code_list(&mut out, "Every antigen.", "ANTIGENS", Antigen::ALL.iter().map(|c| c.to_string()));
    code_list(&mut out, "Why a dose was not given.", "REASONS", ReasonCode::ALL.iter().map(|c| c.to_string()));
    code_list(
        &mut out,
        "The reasons that are refusals.",
        "REFUSAL_REASONS",
        ReasonCode::ALL.iter().filter(|r| r.is_refusal()).map(|c| c.to_string()),
    );
    code_list(
        &mut out,
        "High-risk-area types of a household.",
        "RISK_CATEGORIES",
        RiskCategory::ALL.iter().map(|c| c.to_string()),
    );
    code_list(
        &mut out,
        "Every error code the UI may receive.",
        "ERROR_CODES",
        AppCode::ALL.iter().map(|c| c.to_string()),
    );
    code_list(
        &mut out,
        "The codes of the core's warnings.",
        "WARNING_CODES",
        Warning::CODES.iter().map(|c| c.to_string()),
    );
    code_list(
        &mut out,
        "A beneficiary's classification.",
        "CLASSIFICATIONS",
        Classification::ALL.iter().map(|c| c.as_str().to_string()),
    );
    code_list(&mut out, "AEFI severities.", "SEVERITIES", AefiSeverity::ALL.iter().map(|c| c.to_string()));
    for (kind, name) in [(Kind::Child, "CHILD_REASONS"), (Kind::PregnantWoman, "PREGNANT_WOMAN_REASONS")] {
        code_list(
            &mut out,
            &format!("The reasons that apply to a {} (`ReasonCode::applies_to`).", kind.words()),
            name,
            ReasonCode::ALL.iter().filter(|r| r.applies_to(kind)).map(|c| c.to_string()),
        );
    }
    code_list(
        &mut out,
        "The reasons that need a note saying what they were.",
        "NOTE_REASONS",
        ReasonCode::ALL.iter().filter(|r| r.needs_note()).map(|c| c.to_string()),
    );
    out.push_str(&format!("/** The longest note, in characters. */\nexport const MAX_NOTE = {MAX_NOTE};\n"));
    code_list(&mut out, "Signs ticked on the AEFI form.", "AEFI_SIGNS", AefiSign::ALL.iter().map(|c| c.to_string()));
    code_list(
        &mut out,
        "The signs that make an AEFI serious (`AefiSign::minimum_severity`).",
        "SERIOUS_SIGNS",
        AefiSign::ALL.iter().filter(|s| s.minimum_severity() == AefiSeverity::Serious).map(|c| c.to_string()),
    );
    code_list(&mut out, "Where an AEFI was referred.", "REFERRALS", Referral::ALL.iter().map(|c| c.to_string()));
    code_list(&mut out, "Workers' roles.", "ROLES", WorkerRole::ALL.iter().map(|c| c.to_string()));
    code_list(&mut out, "Beneficiaries' statuses.", "STATUSES", BeneficiaryStatus::ALL.iter().map(|c| c.to_string()));
    code_list(
        &mut out,
        "How a pregnancy ended.",
        "DELIVERY_OUTCOMES",
        DeliveryOutcome::ALL.iter().map(|c| c.to_string()),
    );
    code_list(
        &mut out,
        "Who may be assigned to persuade a resistant family, or visit it.",
        "PERSUADERS",
        teeka_domain::Persuader::ALL.iter().map(|c| c.to_string()),
    );
    code_list(
        &mut out,
        "What was done at a visit to a resistant family.",
        "VISIT_ACTIONS",
        teeka_domain::VisitAction::ALL.iter().map(|c| c.to_string()),
    );
    code_list(
        &mut out,
        "How a visit to a resistant family ended.",
        "VISIT_OUTCOMES",
        teeka_domain::VisitOutcome::ALL.iter().map(|c| c.to_string()),
    );
    code_list(
        &mut out,
        "Communication activities.",
        "ACTIVITY_KINDS",
        teeka_domain::ActivityKind::ALL.iter().map(|c| c.to_string()),
    );
    out.push_str(&format!(
        "/** The most people an activity may count. */\nexport const MAX_ATTENDANCE = {};\n",
        teeka_domain::cases::MAX_ATTENDANCE
    ));
    let antigens: Vec<String> = DoseCode::ALL.iter().map(|c| format!("{c}: \"{}\"", c.antigen())).collect();
    out.push_str(&format!(
        "/** The antigen of each dose code (vials and the tally count per antigen). */\nexport const DOSE_ANTIGENS: Record<DoseCode, Antigen> = {{ {} }};\n",
        antigens.join(", ")
    ));
    Ok(out)
}
