//! Reading a request's fields: codes and dates arrive as text and are checked here, so that a
//! wrong value comes back as `INVALID_INPUT` naming the field (in its message and its `field`).

use crate::error::AppError;
use crate::types::DoseInput;
use teeka_domain::{parse_date, Date, DoseCode};

pub(crate) fn date_field(field: &str, text: &str) -> Result<Date, AppError> {
    parse_date(text).map_err(|e| AppError::invalid_field(field, format!("{field}: {e}")))
}

pub(crate) fn opt_date_field(field: &str, text: Option<&str>) -> Result<Option<Date>, AppError> {
    text.filter(|t| !t.trim().is_empty()).map(|t| date_field(field, t)).transpose()
}

pub(crate) fn code_field<T: std::str::FromStr<Err = teeka_domain::UnknownCode>>(
    field: &str,
    text: &str,
) -> Result<T, AppError> {
    text.parse().map_err(|e: teeka_domain::UnknownCode| AppError::invalid_field(field, format!("{field}: {e}")))
}

pub(crate) fn doses_field(doses: &[DoseInput]) -> Result<Vec<(DoseCode, Date)>, AppError> {
    doses
        .iter()
        .enumerate()
        .map(|(i, d)| {
            Ok((code_field(&format!("doses[{i}].code"), &d.code)?, date_field(&format!("doses[{i}].date"), &d.date)?))
        })
        .collect()
}

pub(crate) fn codes_field(codes: &[String]) -> Result<Vec<DoseCode>, AppError> {
    codes.iter().enumerate().map(|(i, c)| code_field(&format!("codes[{i}]"), c)).collect()
}
