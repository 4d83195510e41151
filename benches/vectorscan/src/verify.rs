//! The whole candidate-finder design, timed end to end: one Vectorscan scan collects every match
//! report, each rule's reports become candidate spans (merged), and the rule's exact Rust regex
//! runs only inside those spans.
//!
//! Where a rule has no SOM, Vectorscan only says where a match ENDS: the span then starts
//! `max_width` bytes earlier (Vectorscan's own bound for the pattern), or `UNBOUNDED_BACK` bytes
//! when the pattern has no bound (`+`, `*`, `{n,}`), which can cut a longer match short: the
//! figure is then a lower bound on the cost, not an exact redactor.

use std::time::{Duration, Instant};

use hyperscan::prelude::*;
use regex_automata::{Input, meta};

use crate::measure::cpu_now;

/// How far back a candidate span reaches when the pattern's matches have no length bound.
pub const UNBOUNDED_BACK: usize = 512;

/// One rule as the check stage sees it.
pub struct Checker {
    /// The rule's regex exactly as written (Rust syntax, `\b` and all).
    pub exact: meta::Regex,
    /// Reports carry the start of the match (SOM_LEFTMOST was on for this rule).
    pub som: bool,
    /// How far before a report's end a match can start.
    pub back: usize,
}

pub struct Outcome {
    pub cpu: Option<Duration>,
    pub wall: Duration,
    pub callbacks: usize,
    pub spans: usize,
    pub span_bytes: usize,
    pub findings: usize,
}

impl Outcome {
    pub fn summary(&self, bytes: usize) -> String {
        let secs = self.cpu.unwrap_or(self.wall).as_secs_f64();
        format!(
            "scan + check {:.1} ms on CPU ({:.0} MB/s), {:.1} ms wall; {} callbacks -> {} candidate spans ({} KiB) -> {} exact matches",
            secs * 1e3,
            bytes as f64 / 1e6 / secs,
            self.wall.as_secs_f64() * 1e3,
            self.callbacks,
            self.spans,
            self.span_bytes / 1024,
            self.findings
        )
    }
}

/// Scans `text`, then checks every candidate span with the exact regex of its rule
/// (`checkers[id]`, `None` for rules not in the database).
pub fn scan_and_check(
    db: &BlockDatabase,
    scratch: &Scratch,
    text: &str,
    checkers: &[Option<Checker>],
) -> hyperscan::Result<Outcome> {
    let cpu = cpu_now();
    let started = Instant::now();
    let mut reports: Vec<(u32, usize, usize)> = Vec::new();
    db.scan(text, scratch, |id, from, to, _| {
        reports.push((id, from as usize, to as usize));
        Matching::Continue
    })?;
    let callbacks = reports.len();
    // Per rule, spans in start order, merged when they overlap.
    let mut per_rule: Vec<Vec<(usize, usize)>> = vec![Vec::new(); checkers.len()];
    for &(id, from, to) in &reports {
        let Some(Some(checker)) = checkers.get(id as usize) else {
            continue;
        };
        let start = if checker.som {
            from
        } else {
            to.saturating_sub(checker.back)
        };
        per_rule[id as usize].push((start, to));
    }
    let (mut spans, mut span_bytes, mut findings) = (0, 0, 0);
    for (id, list) in per_rule.iter_mut().enumerate() {
        let Some(Some(checker)) = checkers.get(id) else {
            continue;
        };
        list.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for &(s, e) in list.iter() {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        for (s, e) in merged {
            let (s, e) = (floor_boundary(text, s), ceil_boundary(text, e));
            spans += 1;
            span_bytes += e - s;
            // The span bounds the search, the text around it stays visible to `^`, `$`, `\b`.
            findings += checker.exact.find_iter(Input::new(text).span(s..e)).count();
        }
    }
    let wall = started.elapsed();
    let cpu = cpu_now().zip(cpu).map(|(b, a)| b - a);
    Ok(Outcome {
        cpu,
        wall,
        callbacks,
        spans,
        span_bytes,
        findings,
    })
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}
