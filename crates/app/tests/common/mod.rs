//! What the app's command tests share (`campaign.rs`, `cases.rs`, `evening_pack.rs`): the app's
//! core on a date, its clock moving on 10 s a call, one worker signed in.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde_json::{json, Value};
use teeka_app::{App, AppError, Clock};

pub struct Session {
    pub app: App,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
}

impl Session {
    /// `app` on `today`, from 04:00 UTC, with one worker, Meena (PIN 1234) of `role`, signed in.
    pub fn new(app: App, today: NaiveDate, role: &str) -> Session {
        let now = today.and_hms_opt(4, 0, 0).unwrap().and_utc();
        let mut s = Session { app, now, today };
        s.ok("add_worker", json!({"name": "Meena", "role": role, "pin": "1234"}));
        s
    }

    pub fn call(&mut self, command: &str, req: Value) -> Result<Value, AppError> {
        self.now += TimeDelta::seconds(10);
        let clock = Clock { now: self.now, today: self.today };
        self.app.call(command, req, clock)
    }

    pub fn ok(&mut self, command: &str, req: Value) -> Value {
        self.call(command, req.clone()).unwrap_or_else(|e| panic!("{command} {req}: {e}"))
    }

    pub fn err(&mut self, command: &str, req: Value) -> AppError {
        match self.call(command, req.clone()) {
            Ok(v) => {
                let v = v.to_string();
                panic!("{command} {req} should fail, gave {}", v.chars().take(200).collect::<String>())
            }
            Err(e) => e,
        }
    }
}
