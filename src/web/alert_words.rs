//! How an alert reads: its kind and particulars worded in the reader's language. Alerts
//! store names, numbers and ids only (see `store::alerts`); the sentence is made here.

use crate::desk::Alert;
use crate::web::lang::Tr;

/// Particulars that are counts: they choose the plural form.
const NUMBERS: [&str; 3] = ["count", "minutes", "threshold"];
/// Particulars that are yes or no.
const FLAGS: [&str; 2] = ["restricted", "require_encryption"];

/// An alert's kind and detail as a person reads them.
pub struct AlertWords {
    pub kind: String,
    pub detail: String,
}

pub fn of(tr: &Tr, alert: &Alert) -> AlertWords {
    let id = alert.kind.replace('_', "-");
    let kind_key = format!("alert-kind-{id}");
    let kind = if tr.has(&kind_key) {
        tr.t(&kind_key)
    } else {
        tr.t("alert-kind-other")
    };
    let detail_key = format!("alert-detail-{id}");
    let worded = alert.args().and_then(|args| {
        let mut args: Vec<(&str, String)> = args
            .iter()
            .map(|(name, value)| (name.as_str(), worded(tr, name, value)))
            .collect();
        if !args.iter().any(|(name, _)| *name == "by") {
            args.push(("by", tr.t("alert-by-operator")));
        }
        tr.try_args_numbered(&detail_key, &args, &NUMBERS)
    });
    // Raised before particulars were stored by name: the sentence as written.
    let detail = worded.unwrap_or_else(|| alert.detail.clone());
    AlertWords { kind, detail }
}

/// One particular as the reader reads it: roles and flags in words, names as they are.
fn worded(tr: &Tr, name: &str, value: &str) -> String {
    if name == "role" || name.ends_with("_role") {
        tr.role(value)
    } else if name == "owner" || FLAGS.contains(&name) {
        tr.t(if value == "yes" {
            "alert-yes"
        } else {
            "alert-no"
        })
    } else {
        value.to_owned()
    }
}
