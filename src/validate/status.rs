//! Layer 4c: a pledge's status follows from its status reports, which are
//! in the order of the dates or events they are as of.

use std::collections::HashMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{PartialDate, Pledge};
use crate::validate::{Files, Records};

/// Checks the status reports of every pledge read into the model.
pub(crate) fn check(records: &Records, files: &Files, out: &mut Vec<Diagnostic>) {
    let dates: HashMap<&str, PartialDate> = records
        .events
        .iter()
        .filter_map(|(_, e)| Some((e.id.as_str(), e.date?)))
        .collect();
    for (index, pledge) in &records.pledges {
        check_pledge(files, index, pledge, &dates, out);
    }
}

fn check_pledge(
    files: &Files,
    index: usize,
    pledge: &Pledge,
    dates: &HashMap<&str, PartialDate>,
    out: &mut Vec<Diagnostic>,
) {
    let path = &files.pledges;
    let reports = &pledge.status_reports;
    // Each report's date: its own, or its event's.
    let when: Vec<Option<PartialDate>> = reports
        .iter()
        .map(|r| {
            r.as_of.or_else(|| {
                r.event
                    .as_ref()
                    .and_then(|e| dates.get(e.as_str()).copied())
            })
        })
        .collect();
    let mut latest: Option<(usize, PartialDate)> = None;
    for (j, date) in when.iter().enumerate() {
        let Some(date) = *date else { continue };
        if let Some((k, before)) = latest
            && before.certainly_after(&date)
        {
            out.push(
                Diagnostic::new(
                    Code::StatusReportsOutOfOrder,
                    path,
                    format!("/pledges/{index}/status_reports/{j}"),
                    format!("this report is as of {date}, before report {k}, as of {before}"),
                )
                .with_hint("list the reports oldest first, so that the last is the latest"),
            );
        }
        if latest.is_none_or(|(_, before)| !before.certainly_after(&date)) {
            latest = Some((j, date));
        }
    }
    if pledge.status_note.is_some() {
        return;
    }
    let Some(last) = reports.last() else { return };
    if pledge.status != last.status {
        out.push(
            Diagnostic::new(
                Code::StatusUnexplained,
                path,
                format!("/pledges/{index}/status"),
                format!(
                    "the status is `{}`, but the latest report (`{}`'s) says `{}`",
                    pledge.status, last.source, last.status
                ),
            )
            .with_hint("make the status the latest report's, or say why not in `status_note`"),
        );
    } else if pledge.status_reports_disagree() && when.iter().any(Option::is_none) {
        out.push(
            Diagnostic::new(
                Code::StatusUnexplained,
                path,
                format!("/pledges/{index}/status"),
                "the status reports disagree, and not all say when they are as of, so which is latest is not known",
            )
            .with_hint("say in `status_note` which report the status follows and why"),
        );
    }
}
