//! Exit codes (CONVENTIONS.md) and the error kinds that select them.
//!
//! Every tool's `main` is `octo_core::exit::main("tool", || run(Args::parse()))`. `run` returns
//! `anyhow::Result<Exit>`; errors are printed once as `tool: {err:#}` and mapped to a code by
//! [`code_for`], which looks for one of the marker types below anywhere in the error chain.

use std::fmt;
use std::process::ExitCode;

/// The exit codes shared by every octobox tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: success — also when the reader of our stdout went away.
    Success,
    /// 1: runtime failure (API error after retries, I/O error).
    Failure,
    /// 2: usage or configuration error.
    Usage,
    /// 3: bad input data (a malformed record on stdin or in a file).
    BadInput,
    /// 4: partial: the run finished but some targets failed.
    Partial,
    /// 5: findings present (only with `--fail-on-findings`).
    Findings,
    /// 130: interrupted (Ctrl-C).
    Interrupted,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Usage => 2,
            Exit::BadInput => 3,
            Exit::Partial => 4,
            Exit::Findings => 5,
            Exit::Interrupted => 130,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e.code())
    }
}

/// A usage or configuration error (exit 2): a bad flag value, a missing key, an ambiguous name.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for UsageError {}

/// Bad input data (exit 3): names the source (file or `stdin`), the 1-based line and, when known,
/// the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub source_name: String,
    pub line: u64,
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.source_name, self.line)?;
        if let Some(field) = &self.field {
            write!(f, "field `{field}`: ")?;
        }
        f.write_str(&self.message)
    }
}
impl std::error::Error for InputError {}

/// The reader of our stdout went away (EPIPE): the run ends successfully and silently.
#[derive(Debug)]
pub struct PipeClosed;

impl fmt::Display for PipeClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("output pipe closed")
    }
}
impl std::error::Error for PipeClosed {}

/// The run was interrupted (Ctrl-C).
#[derive(Debug)]
pub struct Interrupted;

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("interrupted")
    }
}
impl std::error::Error for Interrupted {}

/// Build a usage error as an `anyhow::Error`.
pub fn usage(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError(msg.into()))
}

/// The exit code for an error: the first marker type found in the chain decides.
pub fn code_for(err: &anyhow::Error) -> Exit {
    for cause in err.chain() {
        if cause.is::<PipeClosed>() {
            return Exit::Success;
        }
        if cause.is::<UsageError>() {
            return Exit::Usage;
        }
        if cause.is::<InputError>() {
            return Exit::BadInput;
        }
        if cause.is::<Interrupted>() {
            return Exit::Interrupted;
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::BrokenPipe
        {
            return Exit::Success;
        }
    }
    Exit::Failure
}

/// Run a tool: print an error once as `tool: {err:#}` (unless it is a closed pipe) and map it to
/// its exit code.
pub fn main(tool: &str, run: impl FnOnce() -> anyhow::Result<Exit>) -> ExitCode {
    report(tool, run()).into()
}

/// The exit code of a finished run; its error, if any, printed once as `tool: {err:#}`.
pub fn report(tool: &str, result: anyhow::Result<Exit>) -> Exit {
    match result {
        Ok(code) => code,
        Err(err) => {
            let code = code_for(&err);
            if code != Exit::Success {
                crate::log::error_line(tool, &err);
            }
            code
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn codes_match_the_conventions_table() {
        let table = [
            (Exit::Success, 0),
            (Exit::Failure, 1),
            (Exit::Usage, 2),
            (Exit::BadInput, 3),
            (Exit::Partial, 4),
            (Exit::Findings, 5),
            (Exit::Interrupted, 130),
        ];
        for (e, c) in table {
            assert_eq!(e.code(), c, "{e:?}");
        }
    }

    #[test]
    fn marker_anywhere_in_the_chain_decides() {
        let e = Err::<(), _>(usage("bad --date"))
            .context("reading flags")
            .unwrap_err();
        assert_eq!(code_for(&e), Exit::Usage);
        let e = anyhow::Error::new(InputError {
            source_name: "stdin".into(),
            line: 7,
            field: Some("server_id".into()),
            message: "missing".into(),
        });
        assert_eq!(code_for(&e), Exit::BadInput);
        assert_eq!(e.to_string(), "stdin:7: field `server_id`: missing");
        let e = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            .context("writing");
        assert_eq!(code_for(&e), Exit::Success);
        assert_eq!(code_for(&anyhow::anyhow!("boom")), Exit::Failure);
    }
}
