//! `drippulse ledger`: read-only views of the local ledger.

use std::io::Write;

use serde_json::Value;

use crate::cli::{ExportFormat, LedgerCommand, LedgerExportArgs, LedgerShowArgs, OutputFormat};
use crate::exit::{usage, ExitStatus};
use crate::input::neutralize_cell;
use crate::ledger::{EntryState, Ledger};
use crate::settings::Context;
use crate::text::escape_control;

/// Columns of entries in tables and CSV files.
const ENTRY_COLUMNS: [&str; 12] = [
    "entry_id",
    "workflow_id",
    "key",
    "state",
    "email",
    "lead_ref",
    "run_id",
    "batch_id",
    "enrollment_id",
    "adopted",
    "detail",
    "updated_at",
];

pub fn run(
    ctx: &mut Context,
    command: &LedgerCommand,
    output: OutputFormat,
) -> anyhow::Result<ExitStatus> {
    let path = ctx.ledger_path();
    let Some(ledger) = Ledger::open_read_only(&path)? else {
        ctx.printer
            .status(format!("No ledger yet at {}.", path.display()));
        if ctx.printer.is_json() {
            ctx.printer.json(&Value::Array(Vec::new()))?;
        }
        return Ok(ExitStatus::Success);
    };

    match command {
        LedgerCommand::Runs(_) => runs(ctx, &ledger),
        LedgerCommand::Show(args) => show(ctx, &ledger, args, output),
        LedgerCommand::Export(args) => export(ctx, &ledger, args, output),
        LedgerCommand::Check(_) => check(ctx, &ledger),
    }
}

fn runs(ctx: &Context, ledger: &Ledger) -> anyhow::Result<ExitStatus> {
    let runs = ledger.runs()?;
    if ctx.printer.is_json() {
        ctx.printer.json(&Value::Array(runs))?;
        return Ok(ExitStatus::Success);
    }
    let mut text = String::new();
    for run in &runs {
        let field = |name: &str| match run.get(name) {
            Some(Value::Null) | None => "-".to_string(),
            Some(Value::String(s)) => escape_control(s).into_owned(),
            Some(other) => other.to_string(),
        };
        let inputs: Vec<String> = run["inputs"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|input| {
                let name = input["name"].as_str().unwrap_or("");
                let sha = input["sha256"].as_str().unwrap_or("");
                format!(
                    "{} ({})",
                    escape_control(name),
                    sha.get(..12).unwrap_or(sha)
                )
            })
            .collect();
        let counts = match &run["summary"] {
            Value::Object(summary) => [
                "sent",
                "already_enrolled",
                "deleted",
                "failed",
                "unknown",
                "found",
            ]
            .iter()
            .filter_map(|name| summary.get(*name).map(|v| format!("{name} {v}")))
            .collect::<Vec<_>>()
            .join(", "),
            _ => String::new(),
        };
        text.push_str(&format!(
            "run {}  {}  workflow {}  started {}  ended {}  exit {}\n",
            field("run_id"),
            field("command"),
            field("workflow_id"),
            field("started_at"),
            field("ended_at"),
            field("exit_code"),
        ));
        if !inputs.is_empty() {
            text.push_str(&format!("    inputs: {}\n", inputs.join(", ")));
        }
        if !counts.is_empty() {
            text.push_str(&format!("    {counts}\n"));
        }
    }
    ctx.printer.data(&text)?;
    Ok(ExitStatus::Success)
}

fn show(
    ctx: &Context,
    ledger: &Ledger,
    args: &LedgerShowArgs,
    output: OutputFormat,
) -> anyhow::Result<ExitStatus> {
    if let Some(state) = &args.state {
        EntryState::parse(state).map_err(|_| {
            usage(format!(
                "invalid --state {state:?}: use planned, sending, sent, rejected, unknown, needs_review, deleting or deleted"
            ))
        })?;
    }
    let entries = ledger.entries_json(
        Some(&args.workflow),
        args.state.as_deref(),
        args.email.as_deref(),
    )?;
    match output {
        OutputFormat::Json => ctx.printer.json(&Value::Array(entries))?,
        OutputFormat::Csv => ctx
            .printer
            .data(&String::from_utf8_lossy(&entries_csv(&entries)?))?,
        OutputFormat::Human => {
            let mut text = String::new();
            for entry in &entries {
                let cell = |name: &str| match &entry[name] {
                    Value::Null => "-".to_string(),
                    Value::String(s) => escape_control(s).into_owned(),
                    other => other.to_string(),
                };
                text.push_str(&format!(
                    "{:<12} {:<40} {:<24} run {:<5} {}\n",
                    cell("state"),
                    cell("email"),
                    cell("enrollment_id"),
                    cell("run_id"),
                    cell("detail"),
                ));
            }
            ctx.printer.data(&text)?;
            ctx.printer.status(format!("{} entries", entries.len()));
        }
    }
    Ok(ExitStatus::Success)
}

fn export(
    ctx: &Context,
    ledger: &Ledger,
    args: &LedgerExportArgs,
    output: OutputFormat,
) -> anyhow::Result<ExitStatus> {
    let format = args.format.unwrap_or(match output {
        OutputFormat::Json => ExportFormat::Json,
        OutputFormat::Csv | OutputFormat::Human => ExportFormat::Csv,
    });
    let entries = ledger.entries_json(args.workflow.as_deref(), None, None)?;
    let bytes = match format {
        ExportFormat::Csv => entries_csv(&entries)?,
        // JSON keeps the real values: only cells of a CSV file are read by
        // spreadsheets as formulas.
        ExportFormat::Json => {
            let mut bytes = serde_json::to_vec_pretty(&Value::Array(entries.clone()))?;
            bytes.push(b'\n');
            bytes
        }
    };

    if args.file.as_os_str() == "-" {
        std::io::stdout().lock().write_all(&bytes)?;
    } else {
        let mut file = crate::fsutil::create_private_file(&args.file)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        ctx.printer.status(format!(
            "Exported {} entries to {}.",
            entries.len(),
            args.file.display()
        ));
    }
    Ok(ExitStatus::Success)
}

fn check(ctx: &Context, ledger: &Ledger) -> anyhow::Result<ExitStatus> {
    ledger.integrity_check()?;
    let counts = ledger.state_counts()?;
    if ctx.printer.is_json() {
        let rows: Vec<Value> = counts
            .iter()
            .map(|(workflow, state, n)| serde_json::json!({ "workflow_id": workflow, "state": state, "count": n }))
            .collect();
        ctx.printer
            .json(&serde_json::json!({ "integrity": "ok", "counts": rows }))?;
    } else {
        let mut text = String::from("integrity: ok\n");
        for (workflow, state, n) in &counts {
            text.push_str(&format!("{}  {state}  {n}\n", escape_control(workflow)));
        }
        ctx.printer.data(&text)?;
    }
    Ok(ExitStatus::Success)
}

/// Writes entries as CSV with formula-like cells neutralised.
fn entries_csv(entries: &[Value]) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(ENTRY_COLUMNS)?;
    for entry in entries {
        let row: Vec<String> = ENTRY_COLUMNS
            .iter()
            .map(|name| {
                let text = match &entry[*name] {
                    Value::Null => String::new(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                neutralize_cell(&text).into_owned()
            })
            .collect();
        writer.write_record(&row)?;
    }
    writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("{}", e.error()))
}
