//! The OpenAPI 3.1 description of the HTTP API, served at `/v1/openapi.json`: the paths from the
//! protocol's path constants, the bodies' schemas generated from the wire types themselves
//! (schemars, as the server writes them), so that the description cannot drift from the code.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{json, Map, Value};
use teeka_domain::monitor::Report;
use teeka_protocol::{
    ApiError, DevicesResponse, EnrollRequest, EnrollResponse, ErrorCode, PullRequest, PullResponse, PushRequest,
    PushResponse, DEVICES_PATH, ENROLL_PATH, HEALTH_PATH, MAX_PULL_EVENTS, MAX_PUSH_EVENTS, OLDEST_PUSH_VERSION,
    OPENAPI_PATH, PROTOCOL_VERSION, PULL_PATH, PUSH_PATH, REPORT_PATH, VERSION_HEADER,
};

/// Where a reference to a schema of `components` points.
const SCHEMAS: &str = "/components/schemas";

/// A reference to `T`'s schema, added to the generator's definitions.
fn body<T: JsonSchema>(generator: &mut SchemaGenerator) -> Value {
    generator.subschema_for::<T>().to_value()
}

/// The protocol version header, for an endpoint that takes versions `oldest..=PROTOCOL_VERSION`.
fn version_header(oldest: u32) -> Value {
    json!({
        "name": VERSION_HEADER,
        "in": "header",
        "required": true,
        "description": if oldest == PROTOCOL_VERSION {
            format!(
                "The protocol version the client speaks: here only {PROTOCOL_VERSION}, this server's; another is \
                 answered with 426 UNSUPPORTED_VERSION."
            )
        } else {
            format!(
                "The protocol version the client speaks. This server speaks {PROTOCOL_VERSION}; here it also takes \
                 older ones from {oldest} (an app not yet updated loses no record), and answers another with 426 \
                 UNSUPPORTED_VERSION."
            )
        },
        "schema": { "type": "integer", "minimum": oldest, "maximum": PROTOCOL_VERSION },
    })
}

/// The statuses an endpoint answers with besides 200, each with an [`ApiError`] body: every
/// status an [`ErrorCode`] the server answers maps to (the codes named for each in the
/// description).
fn errors(error: &Value) -> Map<String, Value> {
    let mut by_status: std::collections::BTreeMap<u16, Vec<&str>> = std::collections::BTreeMap::new();
    // `UNTRUSTED_SERVER` is made by a device's client only, never answered.
    for code in ErrorCode::ALL.into_iter().filter(|c| *c != ErrorCode::UntrustedServer) {
        by_status.entry(code.http_status()).or_default().push(code.as_str());
    }
    by_status
        .into_iter()
        .map(|(status, codes)| {
            let response = json!({
                "description": format!("An error: `code` is {}", codes.join(", ")),
                "content": { "application/json": { "schema": error } },
            });
            (status.to_string(), response)
        })
        .collect()
}

/// A 200 answer with a JSON body.
fn ok(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

/// A JSON body: gzip-compressed as the app sends it (`Content-Encoding: gzip`), or plain.
fn request(schema: Value) -> Value {
    json!({
        "required": true,
        "description": "JSON, gzip-compressed as the app sends it (with or without `Content-Encoding: gzip`), or \
                        plain. At most 4 MiB as sent and 32 MiB once decompressed (413 TOO_LARGE).",
        "content": { "application/json": { "schema": schema } },
    })
}

/// One operation: its summary, parameters, body, answer and errors.
fn operation(
    id: &str,
    summary: &str,
    authenticated: bool,
    parameters: Vec<Value>,
    request_body: Option<Value>,
    answer: Value,
    errors: &Map<String, Value>,
) -> Value {
    let mut responses = Map::new();
    responses.insert("200".into(), answer);
    responses.extend(errors.clone());
    let mut op = json!({ "operationId": id, "summary": summary, "parameters": parameters, "responses": responses });
    if let Some(body) = request_body {
        op["requestBody"] = body;
    }
    if authenticated {
        op["security"] = json!([{ "device": [] }]);
    }
    op
}

/// The whole description, as `GET /v1/openapi.json` answers it.
pub fn document() -> Value {
    let settings = SchemaSettings::draft2020_12().for_serialize().with(|s| {
        s.definitions_path = SCHEMAS.into();
        s.meta_schema = None;
    });
    let mut g = settings.into_generator();
    let error = body::<ApiError>(&mut g);
    let errs = errors(&error);
    let old_ok = version_header(OLDEST_PUSH_VERSION);
    let current = version_header(PROTOCOL_VERSION);

    let health = json!({
        "type": "object",
        "required": ["status", "protocol"],
        "properties": {
            "status": { "const": "ok" },
            "protocol": { "type": "integer", "const": PROTOCOL_VERSION },
        },
    });
    let mut paths = Map::new();
    paths.insert(
        HEALTH_PATH.into(),
        json!({ "get": {
            "operationId": "health",
            "summary": "Whether the server is up, and the protocol version it speaks",
            "responses": { "200": ok("Up", health) },
        }}),
    );
    paths.insert(
        OPENAPI_PATH.into(),
        json!({ "get": {
            "operationId": "openapi",
            "summary": "This description",
            "responses": { "200": ok("The OpenAPI 3.1 description", json!({ "type": "object" })) },
        }}),
    );
    let enroll_req = body::<EnrollRequest>(&mut g);
    let enroll_resp = body::<EnrollResponse>(&mut g);
    paths.insert(
        ENROLL_PATH.into(),
        json!({ "post": operation(
            "enroll",
            "Exchange a one-time enrollment code (from `teeka-server enroll-code`) for this device's bearer token. \
             Enrolling again with the same code and device id gives a fresh token; the old one stops working.",
            false,
            vec![old_ok.clone()],
            Some(request(enroll_req)),
            ok("Enrolled: the token, the device's area and role", enroll_resp),
            &errs,
        )}),
    );
    let push_req = body::<PushRequest>(&mut g);
    let push_resp = body::<PushResponse>(&mut g);
    paths.insert(
        PUSH_PATH.into(),
        json!({ "post": operation(
            "push",
            &format!(
                "Send this device's events not yet acknowledged, oldest first, at most {MAX_PUSH_EVENTS}. Each is \
                 accepted (stored now or by an earlier try: safe to repeat) or rejected with a code of its own."
            ),
            true,
            vec![old_ok.clone()],
            Some(request(push_req)),
            ok("Which events are stored, and which are refused and why", push_resp),
            &errs,
        )}),
    );
    let pull_req = body::<PullRequest>(&mut g);
    let pull_resp = body::<PullResponse>(&mut g);
    paths.insert(
        PULL_PATH.into(),
        json!({ "post": operation(
            "pull",
            &format!(
                "The events of the device's area after a cursor, in the server's order, at most {MAX_PULL_EVENTS} \
                 a page."
            ),
            true,
            vec![current.clone()],
            Some(request(pull_req)),
            ok("A page of events, the cursor to ask after next, and whether more wait", pull_resp),
            &errs,
        )}),
    );
    let devices = body::<DevicesResponse>(&mut g);
    paths.insert(
        DEVICES_PATH.into(),
        json!({ "get": operation(
            "devices",
            "The devices enrolled within the requesting device's area (itself included), by area path, then \
             enrollment time: when each last synced, what it still holds, its clock's skew.",
            true,
            vec![old_ok],
            None,
            ok("The devices", devices),
            &errs,
        )}),
    );
    let report = body::<Report>(&mut g);
    let query = |name: &str, required: bool, description: &str, schema: Value| json!({ "name": name, "in": "query", "required": required, "description": description, "schema": schema });
    paths.insert(
        REPORT_PATH.into(),
        json!({ "get": operation(
            "report",
            "A round's report of an area within the device's area: the areas one level down each on its own row \
             and their sum (docs/formats.md, \"Round report\").",
            true,
            vec![
                current,
                query(
                    "round",
                    true,
                    "The round's number",
                    json!({ "type": "integer", "minimum": 0, "maximum": u32::MAX, "examples": [1] }),
                ),
                query(
                    "area",
                    true,
                    "The area's path, e.g. UP/Sitapur/Mahmudabad",
                    json!({ "type": "string", "minLength": 1, "examples": ["UP/Sitapur/Mahmudabad"] }),
                ),
                query(
                    "on",
                    false,
                    "The day the report is of (YYYY-MM-DD); absent: the server's today",
                    json!({ "type": "string", "format": "date" }),
                ),
            ],
            None,
            ok("The report", report),
            &errs,
        )}),
    );

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Teeka sync server",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!(
                "The HTTP API between Teeka's devices and its central server, protocol version {PROTOCOL_VERSION} \
                 (docs/sync-protocol.md). Answers are gzip-compressed JSON (`Content-Encoding: gzip`); errors are \
                 plain JSON `{{code, message}}` with a stable code. Every request is safe to repeat."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": g.take_definitions(true),
            "securitySchemes": {
                "device": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The device's token from `POST /v1/enroll`",
                },
            },
        },
    })
}
