//! What one event may hold, whoever made it: every text and every list has a limit, so that no
//! record (a 3 MiB name, a list of a million doses) can reach the server and, through it, every
//! phone of an area over 2G. The device checks each event it makes before it is logged (after
//! the forms' own checks, which are stricter); the server checks each event pushed to it and
//! refuses one over a limit on its own (`INVALID_EVENT`, the field named). The limits are
//! documented in `docs/formats.md`, "Limits".
//!
//! The check reads the event's JSON, as it is stored and sent, without building it: a walk that
//! knows each text by its key (or, for a field of a record, by the field's name).

use crate::facts::check_phone;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// An event's JSON, as sent or stored: at most this many bytes.
pub const MAX_EVENT_BYTES: usize = 64 * 1024;
/// A text (a name, an id, a code): at most this many characters.
pub const MAX_TEXT_CHARS: usize = crate::facts::MAX_TEXT;
/// Free text (`note`, the AEFI's `observed`): at most this many characters.
pub const MAX_FREE_TEXT_CHARS: usize = 1_000;
/// Every list (fields, doses, signs, villages, vials, newborns, holidays…): at most this many
/// items.
pub const MAX_ITEMS: usize = 100;

/// The keys (and field names) of free text.
const FREE_TEXT: [&str; 2] = ["note", "observed"];

/// An event over a limit: where (a JSON path such as `body.fields[1].value`), which field and
/// what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LimitError {
    /// The JSON path of the value (empty: the whole event).
    pub at: String,
    /// The field's name (`name`, `phone`, `note`, `fields`…; `event` for the whole event).
    pub field: String,
    pub problem: String,
}

/// Checks an event's JSON (the whole event, or its body) against the limits. JSON that does not
/// parse is not this check's concern: it reports nothing of it (the reader refuses it).
pub fn check_event_json(json: &str) -> Result<(), LimitError> {
    // Each value first, so that a 3 MiB name is named as the name it is.
    let mut walk = Walk { path: Vec::new(), problem: None };
    let mut de = serde_json::Deserializer::from_str(json);
    let _ = Node { walk: &mut walk, name: None }.deserialize(&mut de);
    if let Some(p) = walk.problem {
        return Err(p);
    }
    if json.len() > MAX_EVENT_BYTES {
        return Err(LimitError {
            at: String::new(),
            field: "event".into(),
            problem: format!("the event is {} bytes of JSON; at most {MAX_EVENT_BYTES}", json.len()),
        });
    }
    Ok(())
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at.is_empty() {
            f.write_str(&self.problem)
        } else {
            write!(f, "{}: {}", self.at, self.problem)
        }
    }
}

/// A step of a JSON path: an object's key or an array's index.
#[derive(Clone, Copy)]
pub(crate) enum Step<K> {
    Key(K),
    Index(usize),
}

/// A path as problems name it: `entry[3].resource.patient`, `body.fields[1].value`.
pub(crate) fn path_text<K: AsRef<str>>(steps: &[Step<K>]) -> String {
    let mut out = String::new();
    for s in steps {
        match s {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k.as_ref());
            }
            Step::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

struct Walk {
    path: Vec<Step<String>>,
    problem: Option<LimitError>,
}

impl Walk {
    fn at(&self) -> String {
        path_text(&self.path)
    }

    fn refuse<E: de::Error>(&mut self, field: &str, problem: String) -> E {
        self.problem = Some(LimitError { at: self.at(), field: field.to_string(), problem });
        E::custom("over a limit")
    }

    fn text<E: de::Error>(&mut self, name: Option<&str>, v: &str) -> Result<(), E> {
        let field = name.unwrap_or("text");
        if field == "phone" && !v.is_empty() {
            return check_phone(v).map_err(|m| self.refuse(field, format!("phone {m}")));
        }
        let max = if FREE_TEXT.contains(&field) { MAX_FREE_TEXT_CHARS } else { MAX_TEXT_CHARS };
        // Counting stops past the limit: a 3 MiB text costs no more than a long one.
        if v.len() > max && v.chars().nth(max).is_some() {
            let n = v.chars().count();
            return Err(self.refuse(field, format!("{field} is {n} characters long; at most {max}")));
        }
        Ok(())
    }
}

/// One value of the event, known by the key (or field name) it is under.
struct Node<'w> {
    walk: &'w mut Walk,
    name: Option<String>,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an event's JSON")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.walk.text(self.name.as_deref(), v)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        loop {
            if i == MAX_ITEMS {
                // One more item is one too many.
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    let field = self.name.as_deref().unwrap_or("list");
                    return Err(self.walk.refuse(field, format!("{field} has more than {MAX_ITEMS} items")));
                }
                return Ok(());
            }
            self.walk.path.push(Step::Index(i));
            let more = seq.next_element_seed(Node { walk: self.walk, name: None })?;
            self.walk.path.pop();
            if more.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // A record's field is `{"field": NAME, "value": …}`: its value is known by NAME.
        let mut tag: Option<String> = None;
        while let Some(key) = map.next_key::<String>()? {
            self.walk.path.push(Step::Key(key.clone()));
            if key == "field" {
                let name: serde_json::Value = map.next_value()?;
                if let Some(n) = name.as_str() {
                    self.walk.text::<A::Error>(Some("field"), n)?;
                    tag = Some(n.to_string());
                }
            } else {
                let name = if key == "value" { tag.clone().unwrap_or(key) } else { key };
                map.next_value_seed(Node { walk: self.walk, name: Some(name) })?;
            }
            self.walk.path.pop();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(json: &str) -> Option<(String, String, String)> {
        check_event_json(json).err().map(|e| (e.at, e.field, e.problem))
    }

    #[test]
    fn texts_lists_and_the_event_have_limits_named_where_they_are_passed() {
        let ok = r#"{"type":"beneficiary_registered","register_id":"R-1","fields":[{"field":"name","value":"Asha"},{"field":"sex","value":"F"}]}"#;
        assert_eq!(problem(ok), None);
        let long = format!(
            r#"{{"type":"beneficiary_registered","register_id":"R-1","fields":[{{"field":"sex","value":"F"}},{{"field":"name","value":"{}"}}]}}"#,
            "अ".repeat(201)
        );
        assert_eq!(
            problem(&long),
            Some(("fields[1].value".into(), "name".into(), "name is 201 characters long; at most 200".into()))
        );
        // 200 characters of Devanagari are 600 bytes: characters are counted, not bytes.
        assert_eq!(problem(&long.replace(&"अ".repeat(201), &"अ".repeat(200))), None);
        let note = |n: usize| format!(r#"{{"type":"dose_not_given","note":"{}"}}"#, "x".repeat(n));
        assert_eq!(problem(&note(1_000)), None);
        assert_eq!(problem(&note(1_001)).map(|p| p.1), Some("note".into()));
        let phone = |p: &str| format!(r#"{{"type":"village_asha_set","name":"Sita","phone":"{p}"}}"#);
        assert_eq!(problem(&phone("9876543210")), None);
        assert_eq!(problem(&phone("12345")).map(|p| (p.0, p.1)), Some(("phone".into(), "phone".into())));
        let list = |n: usize| format!(r#"{{"type":"session_closed","vials":[{}]}}"#, vec!["{}"; n].join(","));
        assert_eq!(problem(&list(100)), None);
        assert_eq!(problem(&list(101)), Some(("vials".into(), "vials".into(), "vials has more than 100 items".into())));
        let big = format!(r#"{{"type":"x","a":[{}]}}"#, vec![format!("\"{}\"", "y".repeat(199)); 99].join(","));
        let many = format!(r#"{{"type":"x","b":{big},"c":{big},"d":{big},"e":{big}}}"#);
        assert_eq!(problem(&big), None);
        assert_eq!(problem(&many).map(|p| (p.0, p.1)), Some((String::new(), "event".into())));
        // What does not parse is the reader's to refuse.
        assert_eq!(problem("{not json"), None);
    }
}
