//! One log stream on stderr. Progress, warnings, errors and commands' notes all go
//! through `tracing`, written by one writer that lifts the progress bar out of the way
//! for each line (so neither tears the other), in one of two shapes:
//! - `text`: tracing's line (time, level, the job span, message), coloured only for a
//!   person at a terminal;
//! - `json`: one flat object per line, always the same keys first: `timestamp`,
//!   `level`, `target`, `message`, then the fields of every enclosing span (`job`,
//!   `tenant`, `mailbox`) and of the line itself (a progress line adds `event` and the
//!   event's fields).

use std::io::{IsTerminal, Write};
use std::sync::{Mutex, OnceLock};

use indicatif::ProgressBar;
use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing_subscriber::fmt::format::{FormatEvent, FormatFields, JsonFields, Writer};
use tracing_subscriber::fmt::{FmtContext, FormattedFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;

use super::{Global, LogFormat};

/// The field of a progress line that holds the whole event as JSON: flattened into
/// the line in `json`, left out of `text` (the message says it for people).
pub const PROGRESS_FIELD: &str = "progress";

static FORMAT: OnceLock<LogFormat> = OnceLock::new();
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

pub fn init(g: &Global) {
    use tracing_subscriber::EnvFilter;
    let _ = FORMAT.set(g.log_format);
    // Lance's deprecation notice about implied score columns (hybrid search reads
    // both) is for library authors, not operators; async-openai logs whole response
    // bodies (mail content, provider error pages): our own lines say what failed
    let default = match (g.quiet, g.verbose) {
        (true, _) => "error",
        (false, 0) => "warn,atom_sync=info,lance::dataset::scanner=error,async_openai=off",
        (false, 1) => "info,atom_sync=debug,lance::dataset::scanner=error,async_openai=off",
        _ => "debug,atom_sync=trace",
    };
    let filter = EnvFilter::try_from_env("ATOM_SYNC_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(Stderr);
    match g.log_format {
        LogFormat::Json => builder.fmt_fields(JsonFields::new()).event_format(JsonLine).init(),
        LogFormat::Text => builder.with_ansi(colour()).with_target(false).init(),
    }
}

pub fn json() -> bool {
    matches!(FORMAT.get(), Some(LogFormat::Json))
}

/// Colour only for a person at a terminal: files, journald and pipes get plain text.
pub fn colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// The bar log lines must lift while they are written (one at a time: one job draws).
pub fn set_bar(bar: Option<ProgressBar>) {
    *BAR.lock().unwrap_or_else(|p| p.into_inner()) = bar;
}

/// A command's answer that is not its output proper ("no keys stored", "nothing
/// done"): a plain line for people, an `info` line of the one shape in `json`.
pub fn note(msg: impl std::fmt::Display) {
    if json() {
        tracing::info!("{msg}");
    } else {
        let line = format!("{msg}\n");
        write_stderr(line.as_bytes());
    }
}

/// A command's own failure that it reports without an error value (exit code set by
/// the caller): `error: …` for people, an `error` line in `json`.
pub fn alert(msg: impl std::fmt::Display) {
    if json() {
        tracing::error!("{msg}");
    } else {
        write_stderr(format!("error: {msg}\n").as_bytes());
    }
}

/// An error that ends the command: `error: …` and its causes, or one `error` line.
pub fn fatal(e: &anyhow::Error) {
    let causes: Vec<String> = e.chain().skip(1).map(|c| c.to_string()).collect();
    if json() {
        let causes = Value::from(causes).to_string();
        tracing::error!(causes = %causes, "{e}");
    } else {
        let mut text = format!("error: {e}\n");
        for c in causes {
            text.push_str(&format!("  caused by: {c}\n"));
        }
        write_stderr(text.as_bytes());
    }
}

fn write_stderr(buf: &[u8]) {
    let write = || {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(buf);
        let _ = err.flush();
    };
    let bar = BAR.lock().unwrap_or_else(|p| p.into_inner()).clone();
    match bar {
        Some(b) => b.suspend(write),
        None => write(),
    }
}

/// stderr, with the bar lifted around each line. tracing's fmt layer formats a whole
/// line before it writes, so one `write` is one line.
struct Stderr;

struct Line;

impl std::io::Write for Line {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        write_stderr(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Stderr {
    type Writer = Line;
    fn make_writer(&'a self) -> Line {
        Line
    }
}

/// The `json` shape: one flat object per line.
struct JsonLine;

impl<S, N> FormatEvent<S, N> for JsonLine
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let meta = event.metadata();
        let mut line = Map::new();
        line.insert("timestamp".into(), atom_sync::time::rfc3339_ms(atom_sync::time::now_ms()).into());
        line.insert("level".into(), meta.level().as_str().into());
        line.insert("target".into(), meta.target().into());
        line.insert("message".into(), Value::String(String::new()));
        // spans from the outermost in: an inner span's field wins
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                let ext = span.extensions();
                let Some(fields) = ext.get::<FormattedFields<N>>() else { continue };
                if let Ok(Value::Object(o)) = serde_json::from_str::<Value>(&fields.fields) {
                    line.extend(o);
                }
            }
        }
        let mut visit = Fields(Map::new());
        event.record(&mut visit);
        for (k, v) in visit.0 {
            match (k.as_str(), v) {
                (PROGRESS_FIELD, Value::String(s)) => {
                    if let Ok(Value::Object(o)) = serde_json::from_str::<Value>(&s) {
                        line.extend(o);
                    }
                }
                ("causes", Value::String(s)) => {
                    line.insert("causes".into(), serde_json::from_str(&s).unwrap_or(Value::String(s)));
                }
                (_, v) => {
                    line.insert(k, v);
                }
            }
        }
        writeln!(writer, "{}", Value::Object(line))
    }
}

/// An event's fields as JSON values (numbers stay numbers).
struct Fields(Map<String, Value>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().into(), format!("{value:?}").into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }
}
