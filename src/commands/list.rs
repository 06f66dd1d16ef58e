//! `drippulse list`: a workflow's enrollments on the server.

use serde_json::Value;

use crate::api::{id_string, ListFilters};
use crate::cli::{ListArgs, OutputFormat};
use crate::exit::ExitStatus;
use crate::settings::Context;
use crate::text::escape_control;

/// Lists every enrollment of the workflow, following pages.
pub fn run(ctx: &mut Context, args: &ListArgs, output: OutputFormat) -> anyhow::Result<ExitStatus> {
    let client = ctx.connect()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let filters = ListFilters {
        email: args.email.clone(),
        status: args.status.clone(),
        limit: args.limit,
    };
    let enrollments = runtime
        .block_on(client.list_enrollments(&args.workflow, &filters))
        .map_err(|e| {
            anyhow::anyhow!(
                "failed to list the enrollments of workflow {:?}: {e}",
                args.workflow
            )
        })?;

    match output {
        OutputFormat::Json => {
            ctx.printer.json(&Value::Array(enrollments))?;
            return Ok(ExitStatus::Success);
        }
        OutputFormat::Csv => {
            ctx.printer.data(&render_csv(&enrollments)?)?;
            return Ok(ExitStatus::Success);
        }
        OutputFormat::Human => {}
    }

    ctx.printer.data(&render_table(&enrollments))?;
    ctx.printer.status(format!(
        "{} enrollments in workflow {}",
        enrollments.len(),
        escape_control(&args.workflow)
    ));
    Ok(ExitStatus::Success)
}

/// Renders id, email, status and created_at as CSV, with cells that a
/// spreadsheet would run as formulas neutralised.
fn render_csv(enrollments: &[Value]) -> anyhow::Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["id", "email", "status", "created_at"])?;
    for enrollment in enrollments {
        let row: Vec<String> = ["id", "email", "status", "created_at"]
            .iter()
            .map(|name| {
                let text = enrollment.get(*name).map(id_string).unwrap_or_default();
                crate::input::neutralize_cell(&text).into_owned()
            })
            .collect();
        writer.write_record(&row)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("{}", e.error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Renders id, email, status and created_at as aligned columns. Cells come
/// from the server, so control characters are escaped.
fn render_table(enrollments: &[Value]) -> String {
    let headers = ["ID", "EMAIL", "STATUS", "CREATED_AT"];
    let rows: Vec<[String; 4]> = enrollments
        .iter()
        .map(|e| {
            let field = |name: &str| {
                e.get(name)
                    .map(|v| escape_control(&id_string(v)).into_owned())
                    .unwrap_or_default()
            };
            [
                field("id"),
                field("email"),
                field("status"),
                field("created_at"),
            ]
        })
        .collect();

    let mut widths = headers.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }

    let mut out = String::new();
    let mut push_row = |cells: [&str; 4]| {
        let mut line = String::new();
        for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  "));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    };
    push_row(headers);
    for row in &rows {
        push_row([&row[0], &row[1], &row[2], &row[3]]);
    }
    out
}
