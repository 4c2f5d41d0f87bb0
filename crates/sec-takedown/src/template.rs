//! Email and reply templates with named placeholders: `{instance_name}`. `{{` and `}}` are
//! literal braces. A placeholder that is not one of [`PLACEHOLDERS`] is a configuration error
//! (exit 2) found when the templates are loaded, before anything is sent.

use std::collections::BTreeMap;
use std::path::PathBuf;

use octo_core::exit::usage;

/// Every placeholder a template may use.
pub const PLACEHOLDERS: &[&str] = &[
    "instance_name",
    "instance_id",
    "project_name",
    "project_id",
    "owner_name",
    "owner_email",
    "ticket_url",
    "ticket_id",
    "step",
    "reason",
    "cloud_name",
];

pub const DEFAULT_SUBJECT: &str = "Security incident for instance {instance_name} ({instance_id})";

pub const DEFAULT_BODY: &str = "Dear {cloud_name} User,<br />\n<br />\n\
We have identified that the instance <b>{instance_name} ({instance_id})</b> in project \
<b>{project_name}</b> created by <b>{owner_email}</b> has been involved in a security incident, \
and has been locked.<br />\n<br />\n\
We have opened this helpdesk ticket to track the details and the progress of the resolution.<br />\n<br />\n\
Please reply to this ticket if you have any questions.<br />\n<br />\n\
Regards,<br />\n{cloud_name} Team";

pub const DEFAULT_REPLY_LOCKED: &str =
    "Instance <b>{instance_name} ({instance_id})</b> has been <b>paused and locked</b>.";
pub const DEFAULT_REPLY_UNLOCKED: &str =
    "Instance <b>{instance_name} ({instance_id})</b> has been <b>unpaused and unlocked</b>.";
pub const DEFAULT_REPLY_DELETED: &str =
    "Instance <b>{instance_name} ({instance_id})</b> has been <b>deleted.</b>";

/// One parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    parts: Vec<Part>,
    /// HTML templates escape the substituted values.
    html: bool,
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Var(String),
}

impl Template {
    /// Parse; `origin` names the file (or "built-in …") in errors.
    pub fn parse(text: &str, origin: &str, html: bool) -> anyhow::Result<Template> {
        Template::parse_with(text, origin, html, PLACEHOLDERS)
    }

    /// Parse allowing only the placeholders in `allowed`.
    pub fn parse_with(
        text: &str,
        origin: &str,
        html: bool,
        allowed: &[&str],
    ) -> anyhow::Result<Template> {
        let mut parts = Vec::new();
        let mut buf = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    buf.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    buf.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for c in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        name.push(c);
                    }
                    if !closed {
                        return Err(usage(format!(
                            "template {origin}: unclosed `{{` (write `{{{{` for a literal brace)"
                        )));
                    }
                    let name = name.trim().to_string();
                    if !allowed.contains(&name.as_str()) {
                        let why = if PLACEHOLDERS.contains(&name.as_str()) {
                            "not available in this template"
                        } else {
                            "unknown placeholder"
                        };
                        return Err(usage(format!(
                            "template {origin}: {why} `{{{name}}}` (known here: {})",
                            allowed.join(", ")
                        )));
                    }
                    if !buf.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut buf)));
                    }
                    parts.push(Part::Var(name));
                }
                '}' => {
                    return Err(usage(format!(
                        "template {origin}: stray `}}` (write `}}}}` for a literal brace)"
                    )));
                }
                c => buf.push(c),
            }
        }
        if !buf.is_empty() {
            parts.push(Part::Text(buf));
        }
        Ok(Template { parts, html })
    }

    /// Fill in the values. Every placeholder has a value by construction (see [`Vars`]).
    pub fn render(&self, vars: &BTreeMap<&'static str, String>) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Var(v) => {
                    let val = vars.get(v.as_str()).map(String::as_str).unwrap_or("");
                    if self.html {
                        out.push_str(&html_escape(val));
                    } else {
                        out.push_str(val);
                    }
                }
            }
        }
        out
    }
}

/// The templates in effect.
#[derive(Debug, Clone)]
pub struct Templates {
    pub ticket_subject: Template,
    pub ticket_body: Template,
    pub reply_locked: Template,
    pub reply_unlocked: Template,
    pub reply_deleted: Template,
}

impl Templates {
    /// Built-ins, replaced by the files named in `paths` (keys as in the config section).
    pub fn load(paths: &BTreeMap<&str, PathBuf>) -> anyhow::Result<Templates> {
        // the ticket URL and id do not exist yet while the ticket itself is written
        let before_ticket: Vec<&str> = PLACEHOLDERS
            .iter()
            .copied()
            .filter(|p| *p != "ticket_url" && *p != "ticket_id")
            .collect();
        let one = |name: &str, default: &str, html: bool| -> anyhow::Result<Template> {
            let allowed: &[&str] = if name.starts_with("ticket_") {
                &before_ticket
            } else {
                PLACEHOLDERS
            };
            match paths.get(name) {
                Some(p) => {
                    let text = std::fs::read_to_string(p).map_err(|e| {
                        usage(format!(
                            "takedown.templates.{name}: cannot read {}: {e}",
                            p.display()
                        ))
                    })?;
                    let text = if html { text } else { text.trim().to_string() };
                    Template::parse_with(&text, &format!("{name} ({})", p.display()), html, allowed)
                }
                None => Template::parse_with(default, &format!("built-in {name}"), html, allowed),
            }
        };
        Ok(Templates {
            ticket_subject: one("ticket_subject", DEFAULT_SUBJECT, false)?,
            ticket_body: one("ticket_body", DEFAULT_BODY, true)?,
            reply_locked: one("reply_locked", DEFAULT_REPLY_LOCKED, true)?,
            reply_unlocked: one("reply_unlocked", DEFAULT_REPLY_UNLOCKED, true)?,
            reply_deleted: one("reply_deleted", DEFAULT_REPLY_DELETED, true)?,
        })
    }
}

pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_braces_and_escaping() {
        let t = Template::parse("a {{x}} {instance_name}!", "t", true).unwrap();
        let mut v = BTreeMap::new();
        v.insert("instance_name", "<b>".to_string());
        assert_eq!(t.render(&v), "a {x} &lt;b&gt;!");
        let e = Template::parse("hi {bogus}", "f.txt", true).unwrap_err();
        assert!(
            e.to_string().contains("unknown placeholder `{bogus}`"),
            "{e}"
        );
        assert_eq!(octo_core::exit::code_for(&e), octo_core::Exit::Usage);
        assert!(Template::parse("{instance_name", "t", true).is_err());
        assert!(Template::parse("x }", "t", true).is_err());
    }

    #[test]
    fn builtins_parse() {
        Templates::load(&BTreeMap::new()).unwrap();
    }
}
