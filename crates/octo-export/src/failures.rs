//! The failures of a unit's slices, said once per cause: when the API refuses all 24 hourly
//! slices for the same reason, the message names the reason once and lists the slices
//! (`slice(s) 00-23 not finished: GET /v1/events: HTTP 429 …`), instead of 24 copies that differ
//! only in the request's query.

use octo_core::http::HttpError;

/// `slice(s) 00-05,07 not finished: <cause>; slice(s) 06: <other cause>` — causes in the order
/// their first slice sorts, slices sorted.
pub(crate) fn summary(failed: &[(String, anyhow::Error)]) -> String {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    let mut sorted: Vec<&(String, anyhow::Error)> = failed.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for (slice, err) in sorted {
        let cause = cause(err);
        match groups.iter_mut().find(|(c, _)| *c == cause) {
            Some((_, slices)) => slices.push(slice.clone()),
            None => groups.push((cause, vec![slice.clone()])),
        }
    }
    groups
        .iter()
        .enumerate()
        .map(|(i, (cause, slices))| {
            let verb = if i == 0 { " not finished" } else { "" };
            format!("slice(s) {}{verb}: {cause}", ranges(slices))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The error's whole chain, with each failed request named by its path only: the query (the
/// slice's own `since`/`until`/`page`) is what makes otherwise equal causes differ.
fn cause(err: &anyhow::Error) -> String {
    let mut text = format!("{err:#}");
    for e in err.chain() {
        if let Some(h) = e.downcast_ref::<HttpError>() {
            let target = match h {
                HttpError::Transport { target, .. }
                | HttpError::GaveUp { target, .. }
                | HttpError::Deadline { target, .. } => target,
            };
            if let Some((path, _query)) = target.split_once('?') {
                text = text.replace(target.as_str(), path);
            }
        }
    }
    text
}

/// Slice names with runs of three or more consecutive hours written `first-last`: `00-23`,
/// `02,03`, `00-05,07`; names that are not numbers (`day`) as they are.
fn ranges(names: &[String]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < names.len() {
        let mut j = i;
        while let (Some(a), Some(b)) = (
            names.get(j).and_then(|n| n.parse::<u32>().ok()),
            names.get(j + 1).and_then(|n| n.parse::<u32>().ok()),
        ) {
            if b != a + 1 {
                break;
            }
            j += 1;
        }
        if j >= i + 2 {
            out.push(format!("{}-{}", names[i], names[j]));
        } else {
            out.extend(names[i..=j].iter().cloned());
        }
        i = j + 1;
    }
    out.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn runs_of_hours_are_ranges() {
        let all: Vec<String> = (0..24).map(|h| format!("{h:02}")).collect();
        assert_eq!(ranges(&all), "00-23");
        assert_eq!(ranges(&names(&["02", "03"])), "02,03");
        assert_eq!(
            ranges(&names(&["00", "01", "02", "03", "04", "05", "07"])),
            "00-05,07"
        );
        assert_eq!(ranges(&names(&["01", "03", "05"])), "01,03,05");
        assert_eq!(ranges(&names(&["day"])), "day");
    }

    #[test]
    fn one_cause_is_said_once_with_its_slices() {
        let failed: Vec<(String, anyhow::Error)> = ["05", "03", "04", "09"]
            .iter()
            .map(|s| {
                (
                    s.to_string(),
                    anyhow::anyhow!("s3:PutObject s3://b/k: AccessDenied"),
                )
            })
            .chain(std::iter::once((
                "07".to_string(),
                anyhow::anyhow!("disk full").context("writing /x/part-07000.jsonl.gz"),
            )))
            .collect();
        assert_eq!(
            summary(&failed),
            "slice(s) 03-05,09 not finished: s3:PutObject s3://b/k: AccessDenied; \
             slice(s) 07: writing /x/part-07000.jsonl.gz: disk full"
        );
    }
}
