//! The flags of every command that changes a security control or a ticket (quarantine, ipblock,
//! sec-takedown): a plan by default, `--apply` to act, and for destructive steps `--yes` or a
//! typed confirmation on a terminal. One definition, so every tool reads the same way.
//!
//! - [`MutationArgs`]: `--apply`, and `--dry-run` (the default; kept for old scripts).
//! - [`ConfirmArgs`]: `--yes`, for commands with a destructive step.
//! - [`check_confirmable`]: refuse early (exit 2, before any change) when a destructive step was
//!   asked for with `--apply`, without `--yes`, and nobody can type a confirmation.
//! - [`confirm_typed`]: the typed confirmation itself (prompt on stderr, answer on stdin).

use std::io::{BufRead, IsTerminal, Write};

use clap::Args;

use crate::exit::usage;

/// `--apply` / `--dry-run`: flatten into every mutating command.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Args)]
pub struct MutationArgs {
    /// Act: carry out the plan. Without it the plan is printed (`planned` records) and nothing
    /// is changed
    #[arg(long = "apply", global = true)]
    pub apply: bool,
    /// Only print the plan: the default, kept for old scripts
    #[arg(long = "dry-run", global = true, conflicts_with = "apply")]
    pub dry_run: bool,
}

impl MutationArgs {
    /// Whether this run only plans (no `--apply`).
    pub fn plan_only(&self) -> bool {
        !self.apply
    }
}

/// `--yes`: flatten into every command with a destructive step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Args)]
pub struct ConfirmArgs {
    /// Confirm the destructive step (instance delete) with --apply; without it a terminal asks
    /// for the server id, a pipe refuses (exit 2)
    #[arg(long = "yes")]
    pub yes: bool,
}

/// Whether a confirmation can be typed: stdin and stderr are both a terminal.
pub fn can_prompt() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Before any change: a destructive step with `--apply` needs `--yes` unless a confirmation
/// can be typed (`interactive`, normally [`can_prompt`]). `what` names the step
/// ("deletes the instance"). The refusal is a usage error (exit 2) that says what to add.
pub fn check_confirmable(
    m: &MutationArgs,
    c: &ConfirmArgs,
    interactive: bool,
    what: &str,
) -> anyhow::Result<()> {
    if m.apply && !c.yes && !interactive {
        return Err(usage(format!(
            "this {what}: add --yes to confirm (no terminal to type a confirmation on); \
             nothing was changed. Without --apply the plan is shown"
        )));
    }
    Ok(())
}

/// Whether the typed confirmation is still to be asked for (`--apply` without `--yes`).
pub fn needs_prompt(m: &MutationArgs, c: &ConfirmArgs) -> bool {
    m.apply && !c.yes
}

/// Ask on stderr to type `expected` (e.g. the server id) and read the answer from stdin.
/// Anything else is a usage error (exit 2) and nothing is changed.
pub fn confirm_typed(expected: &str, question: &str) -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut stderr = std::io::stderr().lock();
    confirm_with(expected, question, &mut input, &mut stderr)
}

/// [`confirm_typed`] over any reader and writer. The question is sanitized for the terminal.
pub fn confirm_with(
    expected: &str,
    question: &str,
    input: &mut impl BufRead,
    prompt: &mut impl Write,
) -> anyhow::Result<()> {
    write!(
        prompt,
        "{}\nType {} to confirm: ",
        crate::sanitize::for_terminal(question),
        crate::sanitize::for_terminal(expected)
    )?;
    prompt.flush()?;
    let mut answer = String::new();
    input.read_line(&mut answer)?;
    if answer.trim() == expected {
        Ok(())
    } else {
        let _ = writeln!(prompt);
        Err(usage(format!(
            "confirmation did not match {expected}: nothing was changed (--yes confirms without asking)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::Exit;

    fn code(e: &anyhow::Error) -> Exit {
        crate::exit::code_for(e)
    }

    #[test]
    fn apply_without_yes_on_a_pipe_is_refused_with_exit_2() {
        let apply = MutationArgs {
            apply: true,
            dry_run: false,
        };
        let plan = MutationArgs::default();
        let no = ConfirmArgs { yes: false };
        let yes = ConfirmArgs { yes: true };
        let e = check_confirmable(&apply, &no, false, "deletes the instance").unwrap_err();
        assert_eq!(code(&e), Exit::Usage);
        assert_eq!(
            e.to_string(),
            "this deletes the instance: add --yes to confirm (no terminal to type a confirmation \
             on); nothing was changed. Without --apply the plan is shown"
        );
        assert!(check_confirmable(&apply, &yes, false, "x").is_ok());
        assert!(check_confirmable(&apply, &no, true, "x").is_ok());
        assert!(check_confirmable(&plan, &no, false, "x").is_ok());
        assert!(needs_prompt(&apply, &no));
        assert!(!needs_prompt(&apply, &yes));
        assert!(!needs_prompt(&plan, &no));
        assert!(plan.plan_only() && !apply.plan_only());
    }

    #[test]
    fn typed_confirmation_must_match_exactly() {
        let id = "9f0c2a4e-1b7d-4c1e-8d2a-5b9e7f3c1a20";
        let mut out = Vec::new();
        let mut ok = std::io::Cursor::new(format!("{id}\n"));
        confirm_with(id, "Delete web\x1b[2J01?", &mut ok, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("Delete web\\x1b[2J01?\nType {id} to confirm: ")
        );
        for wrong in ["\n", "y\n", "9f0c2a4e\n", ""] {
            let mut out = Vec::new();
            let e = confirm_with(id, "q", &mut std::io::Cursor::new(wrong), &mut out).unwrap_err();
            assert_eq!(code(&e), Exit::Usage, "{wrong:?}");
            assert!(
                e.to_string().starts_with("confirmation did not match"),
                "{e}"
            );
        }
    }

    #[test]
    fn dry_run_and_apply_conflict() {
        use clap::Parser;
        #[derive(Debug, Parser)]
        struct T {
            #[command(flatten)]
            m: MutationArgs,
        }
        assert_eq!(T::try_parse_from(["t"]).unwrap().m, MutationArgs::default());
        assert!(T::try_parse_from(["t", "--dry-run"]).unwrap().m.plan_only());
        assert!(!T::try_parse_from(["t", "--apply"]).unwrap().m.plan_only());
        let e = T::try_parse_from(["t", "--apply", "--dry-run"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }
}
