//! `drippulse execute-agent`: run a workflow agent once per idempotency key.
//!
//! The key is `--idempotency-key`, or derived from the agent id and the
//! canonical payload, so the same command run twice replays the stored
//! outcome instead of running the agent twice. It is recorded in the ledger
//! before the first attempt. Timeouts, 5xx and 409 replay the same key with
//! the same body; a key the server ties to another payload stops the call,
//! and drippulse never mints a new key on its own.

use std::io::Read;

use anyhow::Context as _;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::api::classify::Class;
use crate::api::{id_string, ApiError};
use crate::cli::ExecuteAgentArgs;
use crate::exit::{usage, ExitStatus, OutcomeUnknown};
use crate::ledger::{Ledger, RunStart};
use crate::settings::Context;
use crate::text::escape_control;

/// Prefix of the keys drippulse makes, so they are recognisable in the
/// agent's execution list.
const KEY_PREFIX: &str = "dp-";

/// Runs the agent and prints the execution.
pub fn run(ctx: &mut Context, args: &ExecuteAgentArgs) -> anyhow::Result<ExitStatus> {
    let payload = read_payload(args)?;
    let canonical = canonical_json(&payload);
    let payload_sha = hex::encode(Sha256::digest(canonical.as_bytes()));
    let key = match (&args.idempotency_key, args.new_run) {
        (Some(key), _) if key.trim().is_empty() => {
            return Err(usage("--idempotency-key is empty"));
        }
        (Some(key), _) => key.clone(),
        (None, true) => format!("{KEY_PREFIX}{}", random_hex()),
        (None, false) => derived_key(&args.agent, &canonical),
    };

    let client = ctx.connect()?;
    let mut ledger = Ledger::open(&ctx.ledger_path())?;
    if let Some(call) = ledger.agent_call(&args.agent, &key)? {
        if call.payload_sha256 != payload_sha {
            anyhow::bail!(
                "idempotency key {key:?} was already used for agent {} with a different payload; pass --new-run to run the agent with this payload under a new key",
                escape_control(&args.agent)
            );
        }
        // A finished call is answered from the ledger: the server may have
        // forgotten the key (or be another server), and asking it again
        // could run the agent a second time.
        if let Some(stored) = call
            .execution
            .as_deref()
            .and_then(|text| serde_json::from_str::<Value>(text).ok())
        {
            ctx.printer.status(format!(
                "Agent {} already ran with this payload (idempotency key {key}); showing the stored outcome. Pass --new-run to run it again.",
                escape_control(&args.agent)
            ));
            if ctx.printer.is_json() {
                ctx.printer.json(&stored)?;
            } else {
                print_execution(ctx, &stored, &key)?;
            }
            return Ok(if call.state == "failed" {
                ExitStatus::Incomplete
            } else {
                ExitStatus::Success
            });
        }
    }
    let run_id = ledger.begin_run(&RunStart {
        command: "execute-agent".to_string(),
        workflow_id: None,
        inputs: vec![(input_name(args), payload_sha.clone())],
    })?;
    ledger.record_agent_call(&args.agent, &key, &payload_sha, run_id)?;

    let body = json!({ "type": "workflow", "idempotency_key": key, "input": payload });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    let execution = match runtime.block_on(client.execute_agent(&args.agent, &body)) {
        Ok(execution) => execution,
        Err(error) => {
            let _ = ledger.finish_run(run_id, 1, &json!({ "idempotency_key": key }));
            return Err(explain_failure(error, &key, args));
        }
    };

    let status = execution
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or("unknown")
        .to_string();
    let execution_id = execution.get("id").map(id_string);
    let failed = matches!(status.as_str(), "failed" | "error" | "errored");
    ledger.finish_agent_call(
        &args.agent,
        &key,
        if failed { "failed" } else { "succeeded" },
        execution_id.as_deref(),
        Some(&status),
        &execution.to_string(),
    )?;
    let exit = if failed {
        ExitStatus::Incomplete
    } else {
        ExitStatus::Success
    };
    ledger.finish_run(
        run_id,
        exit.code(),
        &json!({ "idempotency_key": key, "execution_id": execution_id, "status": status }),
    )?;

    if ctx.printer.is_json() {
        ctx.printer.json(&execution)?;
    } else {
        print_execution(ctx, &execution, &key)?;
    }
    Ok(exit)
}

/// Reads the payload: a JSON object from --input, or --field pairs.
fn read_payload(args: &ExecuteAgentArgs) -> anyhow::Result<Value> {
    if let Some(path) = &args.input {
        let mut text = String::new();
        if path.as_os_str() == "-" {
            std::io::stdin()
                .read_to_string(&mut text)
                .context("failed to read the payload from standard input")?;
        } else {
            text = std::fs::read_to_string(path)
                .with_context(|| format!("failed to read --input {}", path.display()))?;
        }
        let value: Value =
            serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
                usage(format!(
                    "invalid --input {}: not JSON ({e})",
                    path.display()
                ))
            })?;
        if !value.is_object() {
            return Err(usage(format!(
                "invalid --input {}: the payload must be a JSON object",
                path.display()
            )));
        }
        return Ok(value);
    }

    let mut object = Map::new();
    for pair in &args.fields {
        let (name, value) = pair.split_once('=').ok_or_else(|| {
            usage(format!(
                "invalid --field {pair:?}: expected KEY=VALUE, such as lead_ref=lead_123"
            ))
        })?;
        if name.trim().is_empty() {
            return Err(usage(format!("invalid --field {pair:?}: the key is empty")));
        }
        object.insert(name.trim().to_string(), Value::String(value.to_string()));
    }
    Ok(Value::Object(object))
}

fn input_name(args: &ExecuteAgentArgs) -> String {
    match &args.input {
        Some(path) if path.as_os_str() == "-" => "<stdin>".to_string(),
        Some(path) => path.display().to_string(),
        None => "--field".to_string(),
    }
}

/// Serialises JSON with object keys sorted at every level, so the same
/// payload written in another key order derives the same key.
pub fn canonical_json(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(object) => {
                let mut keys: Vec<&String> = object.keys().collect();
                keys.sort();
                let mut out = Map::new();
                for key in keys {
                    out.insert(key.clone(), sorted(&object[key]));
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

/// Derives the key from the agent id and the canonical payload: the same
/// command always sends the same key.
pub fn derived_key(agent_id: &str, canonical_payload: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(agent_id.as_bytes());
    hasher.update([0]);
    hasher.update(canonical_payload.as_bytes());
    let digest = hex::encode(hasher.finalize());
    format!("{KEY_PREFIX}{}", &digest[..32])
}

fn random_hex() -> String {
    use rand::Rng;
    let bytes: [u8; 16] = rand::thread_rng().gen();
    hex::encode(bytes)
}

/// Turns an API failure into an error that tells what to do next. A
/// failure after which the agent may or may not have run is an
/// [`OutcomeUnknown`] (exit code 4).
fn explain_failure(error: ApiError, key: &str, args: &ExecuteAgentArgs) -> anyhow::Error {
    // With --new-run, rerunning the same command would make yet another
    // key, so the advice names the key itself.
    let replay = if args.new_run || args.idempotency_key.is_some() {
        format!("rerun with --idempotency-key {key}")
    } else {
        "rerun the same command".to_string()
    };
    match &error {
        ApiError::Status { status: 422, message, .. } => anyhow::anyhow!(
            "the API refused idempotency key {key:?}: {message}; drippulse does not pick a new key on its own, because the earlier call may have run: pass --new-run to run the agent again under a new key"
        ),
        _ if error.class() == Class::Ambiguous => OutcomeUnknown(format!(
            "the agent may or may not have run ({error}); {replay} to replay idempotency key {key:?}, which runs the agent at most once"
        ))
        .into(),
        _ => anyhow::Error::new(error).context(format!(
            "failed to run the agent; {replay} to replay idempotency key {key:?}, which runs the agent at most once"
        )),
    }
}

fn print_execution(ctx: &Context, execution: &Value, key: &str) -> std::io::Result<()> {
    let field = |name: &str| {
        execution
            .get(name)
            .map(|value| escape_control(&id_string(value)).into_owned())
            .unwrap_or_else(|| "-".to_string())
    };
    let mut text = format!(
        "execution  {}\nstatus     {}\nkey        {}\n",
        field("id"),
        field("status"),
        escape_control(key)
    );
    if let Some(error) = execution.get("error") {
        text.push_str(&format!(
            "error      {}\n",
            escape_control(&id_string(error))
        ));
    }
    if let Some(output) = execution.get("output") {
        let pretty = serde_json::to_string_pretty(output).unwrap_or_default();
        text.push_str("output\n");
        for line in pretty.lines() {
            text.push_str(&format!("  {}\n", escape_control(line)));
        }
    }
    ctx.printer.data(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let a: Value =
            serde_json::from_str(r#"{"b":1,"a":{"d":[{"y":1,"x":2}],"c":true}}"#).unwrap();
        let b: Value =
            serde_json::from_str(r#"{"a":{"c":true,"d":[{"x":2,"y":1}]},"b":1}"#).unwrap();
        assert_eq!(canonical_json(&a), canonical_json(&b));
    }

    #[test]
    fn derived_key_depends_on_agent_and_payload() {
        let key = derived_key("agt_1", r#"{"a":1}"#);
        assert!(key.starts_with(KEY_PREFIX));
        assert_eq!(key, derived_key("agt_1", r#"{"a":1}"#));
        assert_ne!(key, derived_key("agt_2", r#"{"a":1}"#));
        assert_ne!(key, derived_key("agt_1", r#"{"a":2}"#));
    }
}
