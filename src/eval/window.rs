//! The validity window: whether the policy is in force on the evaluation
//! date, from its issue date (or a draft's `--set issued=…`) and its
//! validity. Every item of a policy not in force is "not in force".

use super::{Options, Window, WindowNote, WindowStatus};
use crate::ast::IssueDate;
use crate::check::Policy;

/// Where the evaluation date stands in the policy's validity window.
pub fn window(policy: &Policy, options: &Options) -> Window {
    let issued = options.issued.or(match policy.header.issued {
        Some(IssueDate::On(d)) => Some(d),
        _ => None,
    });
    let valid = policy.header.valid;
    let expires = match (issued, valid.and_then(|v| v.to_span())) {
        (Some(i), Some(span)) => i
            .checked_add(span)
            .ok()
            .and_then(|end| end.yesterday().ok()),
        _ => None,
    };
    let (status, note) = match (issued, options.at) {
        (None, _) => (WindowStatus::Unchecked, WindowNote::IssueTbd),
        (Some(_), None) => (WindowStatus::Unchecked, WindowNote::NoDate),
        (Some(issued), Some(at)) if at < issued => (
            WindowStatus::NotInForce,
            WindowNote::BeforeIssue { at, issued },
        ),
        (Some(_), Some(at)) => match expires {
            Some(last) if at > last => (WindowStatus::NotInForce, WindowNote::After { at, last }),
            Some(last) => (WindowStatus::InForce, WindowNote::Until(last)),
            None => (WindowStatus::InForce, WindowNote::NoExpiry),
        },
    };
    Window {
        status,
        issued,
        last_day: expires,
        at: options.at,
        note,
    }
}
