//! The app's commands, one method of [`crate::App`] each, by screen: each checks its request,
//! writes through the store and answers with what the screen shows (`crate::views`).

mod campaign;
mod cases;
mod session;
mod supervisor;
mod survey;

pub use survey::dob_from_age_months;
