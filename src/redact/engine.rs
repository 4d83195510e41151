//! The compiled rule set and the scan that finds, resolves and masks: one pass over the
//! normalised view for anchors, each rule only in windows around its anchors, then repeated
//! values, overlaps, and a second look around the masks.

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use super::allowlist::SharedAllowlist;
use super::anchors::{
    AFTER_CAPITALISED, BEFORE, KeywordIndex, RUN_GAP, Windows, capitalised_words, digit_runs,
    name_evidence,
};
use super::builtin::DEFAULT_RULE_FILES;
use super::masks::{MaskBook, Redacted, RedactionCounts};
use super::repeats::Repeats;
use super::rules::{
    Rule, RuleError, Scope, ceil_char_boundary, compile_file, floor_char_boundary, load_dir,
};
use super::view::{View, mask_parts, trim_blanks};

/// One thing the redactor found: which rule, and where (byte offsets into the input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Arc<str>,
    pub mask: String,
    pub start: usize,
    pub end: usize,
}

/// A finding inside the engine: (start, end, rule index), offsets into the text looked at.
type Candidate = (usize, usize, usize);

/// What one look at the text found, and which of those findings hid another (sorted).
#[derive(Default)]
struct Look {
    findings: Vec<Candidate>,
    hiders: Vec<Candidate>,
    /// Each keyword hit, to as far as a rule it wakes reads after it (sorted by start).
    cue_reaches: Vec<Range<usize>>,
}

/// For each finding (sorted), whether it starts inside the stretch after a keyword hit that
/// the hit's rules read.
fn read_after_a_cue(cue_reaches: &[Range<usize>], findings: &[Candidate]) -> Vec<bool> {
    let mut cues = cue_reaches.iter().peekable();
    let mut farthest = 0;
    findings
        .iter()
        .map(|&(start, _, _)| {
            while let Some(cue) = cues.next_if(|cue| cue.start < start) {
                farthest = farthest.max(cue.end);
            }
            start < farthest
        })
        .collect()
}

/// Whether the span's mask changes what a neighbour's rules read: a word or sign right
/// against it, or a digit close enough to share its digit run (`…1111+7 (916)…` →
/// `[CARD-1]+7 (916)…`; `(532) 303-0737,4898 0435…` reads as one run until the card is
/// masked). A mask with blanks, prose or a line break around it leaves its neighbours
/// reading as before, and needs no second look.
fn touches_a_neighbour(text: &str, start: usize, end: usize) -> bool {
    let joins = |c: char| {
        c.is_alphanumeric() || matches!(c, '+' | '-' | '_' | '@' | '/' | '#' | '(' | ')' | '№')
    };
    // Up to a digit run's gap, over characters that are neither letters nor line breaks.
    let digit_within_a_gap = |chars: &mut dyn Iterator<Item = char>| {
        chars
            .take(RUN_GAP + 1)
            .find(|c| c.is_alphanumeric() || matches!(c, '\n' | '\r'))
            .is_some_and(|c| c.is_ascii_digit())
    };
    let before = &text[..start];
    let after = &text[end..];
    before.chars().next_back().is_some_and(joins)
        || after.chars().next().is_some_and(joins)
        || digit_within_a_gap(&mut before.chars().rev())
        || digit_within_a_gap(&mut after.chars())
}

/// How many extra looks `find` takes with masks in place; one almost always settles it.
const MAX_ROUNDS: usize = 3;

/// How far around a mask the text is looked at again once masks are in place: masking
/// changes a value's neighbours (the character before a phone, a word boundary), and frees
/// what a longer finding hid next to it.
const SECOND_LOOK_MARGIN: usize = 96;

/// How far before the text around a mask the second look scans for anchors: a keyword
/// window with the default reach.
const SCAN_BEFORE_NEAR: usize = 512 + BEFORE;

/// The text as it will read once masked (numbers aside), and for each copied run of the
/// original its (offset in the masked text, offset in the original, length).
fn render_with_masks(
    text: &str,
    findings: &[Candidate],
    rules: &[Rule],
) -> (String, Vec<(usize, usize, usize)>) {
    let mut out = String::with_capacity(text.len() + findings.len() * 8);
    let mut segments = Vec::with_capacity(findings.len() + 1);
    let mut last = 0;
    for &(start, end, index) in findings {
        segments.push((out.len(), last, start - last));
        out.push_str(&text[last..start]);
        out.push('[');
        out.push_str(&rules[index].mask);
        out.push_str("-1]");
        last = end;
    }
    segments.push((out.len(), last, text.len() - last));
    out.push_str(&text[last..]);
    (out, segments)
}

/// Where the masks of the `chosen` findings (sorted) stand in the masked text, widened by
/// the second-look margin and merged.
fn mask_surroundings(
    segments: &[(usize, usize, usize)],
    findings: &[Candidate],
    chosen: &[Candidate],
) -> Vec<Range<usize>> {
    let mut near: Vec<Range<usize>> = Vec::new();
    for (pair, finding) in segments.windows(2).zip(findings) {
        if chosen.binary_search(finding).is_err() {
            continue;
        }
        let mask_start = pair[0].0 + pair[0].2;
        let mask_end = pair[1].0;
        let around = mask_start.saturating_sub(SECOND_LOOK_MARGIN)..mask_end + SECOND_LOOK_MARGIN;
        match near.last_mut() {
            Some(last) if around.start <= last.end => last.end = around.end,
            _ => near.push(around),
        }
    }
    near
}

/// What the second look scans for anchors: each range of `near`, from as far before it as a
/// keyword window reaches to as far after it as a window starts, merged, on char boundaries.
fn scan_regions(text: &str, near: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut regions: Vec<Range<usize>> = Vec::new();
    for n in near {
        let start = floor_char_boundary(text, n.start.saturating_sub(SCAN_BEFORE_NEAR));
        let end = ceil_char_boundary(text, (n.end + BEFORE).min(text.len()));
        match regions.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ => regions.push(start..end),
        }
    }
    regions
}

/// Maps a span of the masked text back to the original; `None` if it touches a mask.
fn map_back(
    segments: &[(usize, usize, usize)],
    start: usize,
    end: usize,
) -> Option<(usize, usize)> {
    let i = segments.partition_point(|&(at, _, _)| at <= start);
    let &(at, original, len) = segments.get(i.checked_sub(1)?)?;
    (end <= at + len).then(|| (original + start - at, original + end - at))
}

/// Shortest found value whose other occurrences are masked too.
const PROPAGATE_MIN_CHARS: usize = 8;

/// What a rule is, for people choosing or reviewing rules.
#[derive(Debug, Clone, Copy)]
pub struct RuleSummary<'a> {
    pub id: &'a str,
    pub mask: &'a str,
    pub description: &'a str,
    pub user_may_keep: bool,
}

/// A validated, compiled rule set. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Redactor {
    rules: Vec<Rule>,
    /// One automaton over every rule's keywords: the keyword anchors.
    keywords: KeywordIndex,
    /// Rules woken by digit runs (digit scope, no keywords) as (fewest digits, rule), fewest first.
    digit_rules: Vec<(usize, usize)>,
    /// Keyword rules whose values hold digits (digit scope) as (fewest digits, rule): their
    /// windows without such a digit run are dropped.
    keyword_digit_rules: Vec<(usize, usize)>,
    /// Rules woken by capitalised words (no keywords).
    capitalised_rules: Vec<usize>,
    /// Rules woken by name evidence: known given names and initials (no keywords).
    name_rules: Vec<usize>,
    /// Rules with neither keywords nor scope: they read the whole text.
    everywhere: Vec<usize>,
    /// The organisation's own public values, never masked.
    allowlist: SharedAllowlist,
}

impl Redactor {
    /// The rules compiled into the binary.
    pub fn builtin() -> Result<Self, RuleError> {
        Self::from_sources(
            DEFAULT_RULE_FILES
                .iter()
                .map(|(n, t)| ((*n).to_owned(), (*t).to_owned())),
        )
    }

    /// Every `*.toml` file in `dir`, replacing the built-in rules.
    pub fn from_dir(dir: &Path) -> Result<Self, RuleError> {
        Self::from_sources(load_dir(dir)?)
    }

    /// One rule file's text, as if it were the whole rule set (for checking a file on its own).
    pub fn from_rule_file(name: &str, text: &str) -> Result<Self, RuleError> {
        Self::from_sources([(name.to_owned(), text.to_owned())])
    }

    fn from_sources(files: impl IntoIterator<Item = (String, String)>) -> Result<Self, RuleError> {
        let mut known_ids = HashSet::new();
        let mut rules = Vec::new();
        let mut files_of = Vec::new();
        for (name, text) in files {
            let compiled = compile_file(&name, &text, &mut known_ids)?;
            files_of.extend(std::iter::repeat_n(name, compiled.len()));
            rules.extend(compiled);
        }
        if rules.is_empty() {
            return Err(RuleError::Empty("the rule set".into()));
        }
        let keyword_lists: Vec<(&[String], bool)> = rules
            .iter()
            .map(|r| (r.keywords.as_slice(), r.keywords_at_word_start))
            .collect();
        let keywords = KeywordIndex::new(&keyword_lists)?;
        let mut digit_rules = Vec::new();
        let mut capitalised_rules = Vec::new();
        let mut name_rules = Vec::new();
        let mut everywhere = Vec::new();
        let mut keyword_digit_rules = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            if !rule.keywords.is_empty() {
                if rule.scope == Scope::Digits {
                    keyword_digit_rules.push((rule.min_digits.max(1), index));
                }
                continue;
            }
            match rule.scope {
                Scope::Digits => digit_rules.push((rule.min_digits.max(1), index)),
                Scope::Capitalised => capitalised_rules.push(index),
                Scope::Name => name_rules.push(index),
                Scope::Anywhere => everywhere.push(index),
            }
        }
        digit_rules.sort();
        let redactor = Redactor {
            rules,
            keywords,
            digit_rules,
            keyword_digit_rules,
            capitalised_rules,
            name_rules,
            everywhere,
            allowlist: SharedAllowlist::default(),
        };
        redactor.check_examples_at_anchors(&files_of)?;
        Ok(redactor)
    }

    /// Every example must be found where the engine looks, not only by its regex alone:
    /// a rule that breaks the anchor contract (ANCHORS.md) is refused when it loads.
    fn check_examples_at_anchors(&self, files_of: &[String]) -> Result<(), RuleError> {
        for (index, rule) in self.rules.iter().enumerate() {
            for example in &rule.examples {
                let view = View::of(example);
                let text = view.as_str();
                let (windows, _) = self.windows(text, None, &[]);
                let found = windows[index]
                    .iter()
                    .any(|w| rule.find_in_window(text, w.clone(), &[]).next().is_some());
                if !found {
                    return Err(RuleError::Rule {
                        file: files_of.get(index).cloned().unwrap_or_default(),
                        rule: rule.id.to_string(),
                        reason: format!(
                            "example {example:?} is not found near its anchors (see ANCHORS.md)"
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// The allowlist this redactor consults; the desk replaces it when admins change it.
    pub fn allowlist(&self) -> &SharedAllowlist {
        &self.allowlist
    }

    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// The rules, for listing: id, mask label, description.
    pub fn rules(&self) -> impl Iterator<Item = RuleSummary<'_>> {
        self.rules.iter().map(|r| RuleSummary {
            id: &r.id,
            mask: &r.mask,
            description: &r.description,
            user_may_keep: r.user_may_keep && !r.secret,
        })
    }

    /// Time each rule takes in its windows over `text`, with its match count: for benchmarks
    /// and for operators tuning a rule set (`cargo bench --bench quality -- --per-rule`).
    /// The anchor pass itself is reported as `(anchors)`.
    pub fn profile(&self, text: &str) -> Vec<(String, std::time::Duration, usize)> {
        let view = View::of(text);
        let text = view.as_str();
        let started = std::time::Instant::now();
        let folded = super::anchors::fold_case(text.as_bytes()).len();
        let mut profile = vec![("(case fold)".to_owned(), started.elapsed(), folded)];
        let started = std::time::Instant::now();
        let hits = self.keywords.hits(text).count();
        profile.push(("(keyword hits)".to_owned(), started.elapsed(), hits));
        let started = std::time::Instant::now();
        let runs = digit_runs(text).len();
        profile.push(("(digit runs)".to_owned(), started.elapsed(), runs));
        let started = std::time::Instant::now();
        let (windows, _) = self.windows(text, None, &[]);
        profile.push((
            "(anchors)".to_owned(),
            started.elapsed(),
            windows.iter().map(Vec::len).sum(),
        ));
        profile.extend(self.rules.iter().zip(&windows).map(|(rule, windows)| {
            let started = std::time::Instant::now();
            let n: usize = windows
                .iter()
                .map(|w| rule.find_in_window(text, w.clone(), &[]).count())
                .sum();
            let bytes: usize = windows.iter().map(|w| w.len()).sum();
            let label = format!(
                "{} ({} windows, {} KiB)",
                rule.id,
                windows.len(),
                bytes / 1024
            );
            (label, started.elapsed(), n)
        }));
        profile
    }

    /// Whether findings of this rule may be kept by the requester.
    pub fn may_keep(&self, rule: &str) -> bool {
        self.rule(rule)
            .is_some_and(|r| r.user_may_keep && !r.secret)
    }

    /// Non-overlapping findings in text order, as byte offsets into `text`. Where two
    /// overlap, the longer wins, then the rule listed first. Every further occurrence of a
    /// found value is found too, so a secret mentioned once in context and once bare is
    /// masked both times. Rules read the normalised view (see `view`); a finding never starts
    /// or ends with white space.
    ///
    /// Masking changes what stands next to what ("…1111+7 (916)…" becomes "[CARD-1]+7 (916)…"),
    /// which can reveal a value the first look missed. So the text is looked at again with
    /// the masks in place around the masks that change a neighbour (one against a word or a
    /// number, one that hid part of another finding), until nothing new turns up.
    pub fn find(&self, text: &str) -> Vec<Finding> {
        let view = View::of(text);
        let seen = view.as_str();
        self.find_in_view(seen)
            .into_iter()
            .filter_map(|(start, end, index)| {
                let trimmed = trim_blanks(seen, start..end);
                if trimmed.is_empty() {
                    return None;
                }
                let (start, end) = (
                    view.to_original(trimmed.start),
                    view.to_original(trimmed.end),
                );
                let rule = &self.rules[index];
                Some(Finding {
                    rule: rule.id.clone(),
                    mask: rule.mask.clone(),
                    start,
                    end,
                })
            })
            .collect()
    }

    fn find_in_view(&self, text: &str) -> Vec<Candidate> {
        let Look {
            mut findings,
            hiders,
            cue_reaches,
        } = self.find_once(text, None);
        let after_a_cue = read_after_a_cue(&cue_reaches, &findings);
        // The first extra look goes around the masks that change what a rule reads: one that
        // hid another finding, one standing right against a neighbour, or one inside the
        // stretch a cue's rule reads (a shorter mask brings the value after it within the
        // rule's reach: "пароль от ivan.petrov@mail.ru: …"). Later looks go around the new
        // masks only.
        let mut looked_around: Vec<Candidate> = findings
            .iter()
            .copied()
            .zip(&after_a_cue)
            .filter(|&(f, &cued)| {
                cued || hiders.binary_search(&f).is_ok() || touches_a_neighbour(text, f.0, f.1)
            })
            .map(|(f, _)| f)
            .collect();
        for _ in 0..MAX_ROUNDS {
            if looked_around.is_empty() {
                break;
            }
            let (masked, segments) = render_with_masks(text, &findings, &self.rules);
            // Only windows that reach such a mask can read differently now: look there alone.
            let near = mask_surroundings(&segments, &findings, &looked_around);
            let mut more: Vec<Candidate> = self
                .find_once(&masked, Some(&near))
                .findings
                .into_iter()
                .filter_map(|(start, end, index)| {
                    let (start, end) = map_back(&segments, start, end)?;
                    Some((start, end, index))
                })
                .collect();
            // `findings` is sorted and disjoint, so the one that could overlap is found by search.
            more.retain(|&(start, end, _)| {
                let i = findings.partition_point(|f| f.1 <= start);
                findings.get(i).is_none_or(|f| f.0 >= end)
            });
            if more.is_empty() {
                break;
            }
            findings.extend(more.iter().copied());
            resolve_overlaps(&mut findings);
            more.sort_unstable();
            looked_around = more;
        }
        findings
    }

    /// The windows each rule runs in (by rule index), from one pass over `text` for anchors;
    /// with `near` (sorted, disjoint), anchors are looked for around those ranges only and the
    /// windows are cut to them.
    ///
    /// A keyword inside a mask token (`PASSWORD` in `[PASSWORD-1]`) is no hit: a mask stands
    /// for a value already found, and its label must not wake a rule that would take a
    /// neighbour (a JSON key beside it) for a secret.
    fn windows(
        &self,
        text: &str,
        near: Option<&[Range<usize>]>,
        masks: &[Range<usize>],
    ) -> (Vec<Vec<Range<usize>>>, Vec<Range<usize>>) {
        let mut windows: Vec<Windows> = vec![Windows::default(); self.rules.len()];
        // Each keyword hit, to as far as a rule it wakes reads after it.
        let mut cue_reaches: Vec<Range<usize>> = Vec::new();
        let scanned = match near {
            None => std::iter::once(0..text.len()).collect(),
            Some(near) => scan_regions(text, near),
        };
        // Digit runs of the scanned text, for keyword rules whose values hold digits.
        let mut runs: Vec<(Range<usize>, usize)> = Vec::new();
        for region in scanned {
            let base = region.start;
            let part = &text[region];
            let part_runs = if self.digit_rules.is_empty() && self.keyword_digit_rules.is_empty() {
                Vec::new()
            } else {
                digit_runs(part)
            };
            for (hit, rules) in self.keywords.hits(part) {
                let (start, end) = (base + hit.start, base + hit.end);
                if overlaps_any(masks, start, end) {
                    continue;
                }
                let mut farthest = end;
                for &index in rules {
                    let reach = self.rules[index].reach;
                    windows[index].add(start.saturating_sub(BEFORE)..end.saturating_add(reach));
                    farthest = farthest.max(end.saturating_add(reach));
                }
                cue_reaches.push(start..farthest);
            }
            if !self.digit_rules.is_empty() {
                for run in &part_runs {
                    let (start, end) = (base + run.span.start, base + run.span.end);
                    for &(fewest, index) in &self.digit_rules {
                        if fewest > run.digits {
                            break;
                        }
                        let rule = &self.rules[index];
                        windows[index]
                            .add(start.saturating_sub(rule.lead + 1)..end + rule.trail + 1);
                    }
                }
            }
            runs.extend(
                part_runs
                    .into_iter()
                    .map(|run| (base + run.span.start..base + run.span.end, run.digits)),
            );
            let capitalised = if self.capitalised_rules.is_empty() && self.name_rules.is_empty() {
                Vec::new()
            } else {
                capitalised_words(part)
            };
            if !self.capitalised_rules.is_empty() {
                for word in &capitalised {
                    let (start, end) = (base + word.start, base + word.end);
                    for &index in &self.capitalised_rules {
                        windows[index].add(start.saturating_sub(BEFORE)..end + AFTER_CAPITALISED);
                    }
                }
            }
            if !self.name_rules.is_empty() {
                for word in name_evidence(part, &capitalised) {
                    let (start, end) = (base + word.start, base + word.end);
                    for &index in &self.name_rules {
                        windows[index].add(start.saturating_sub(BEFORE)..end + AFTER_CAPITALISED);
                    }
                }
            }
        }
        for &index in &self.everywhere {
            windows[index].add(0..text.len());
        }
        let mut windows: Vec<Vec<Range<usize>>> = windows
            .into_iter()
            .map(|w| {
                if w.is_empty() {
                    return Vec::new();
                }
                let merged = w.finish(text);
                match near {
                    None => merged,
                    Some(near) => clip(text, merged, near),
                }
            })
            .collect();
        // A keyword rule whose values hold digits cannot match in a window without enough
        // of them: most keyword hits in prose ("call", "номер") have none nearby.
        for &(fewest, index) in &self.keyword_digit_rules {
            windows[index].retain(|window| holds_digit_run(&runs, window, fewest));
        }
        (windows, cue_reaches)
    }

    /// One look at the text: every rule in its windows, then repeated values, then overlaps.
    fn find_once(&self, text: &str, near: Option<&[Range<usize>]>) -> Look {
        let mut candidates: Vec<Candidate> = Vec::new();
        let masks = existing_masks(text);
        let (windows, mut cue_reaches) = self.windows(text, near, &masks);
        cue_reaches.sort_unstable_by_key(|cue| cue.start);
        for (index, windows) in windows.into_iter().enumerate() {
            let rule = &self.rules[index];
            for window in windows {
                candidates.extend(
                    rule.find_in_window(text, window, &masks)
                        .filter(|span| !span.is_empty())
                        .map(|span| (span.start, span.end, index)),
                );
            }
        }
        if candidates.is_empty() {
            return Look::default();
        }

        candidates.extend(self.repeated_values(text, &candidates, &masks));
        let hiders = resolve_overlaps(&mut candidates);
        Look {
            findings: candidates,
            hiders,
            cue_reaches,
        }
    }

    /// Further occurrences of values already found, standing as whole tokens.
    fn repeated_values(
        &self,
        text: &str,
        found: &[Candidate],
        masks: &[Range<usize>],
    ) -> Vec<Candidate> {
        // Short values (a CVV, a PIN) would match unrelated numbers all over the text. A value
        // found twice keeps the rule that found it first (`Repeats` keeps the first tag).
        let values = found
            .iter()
            .map(|&(start, end, index)| (&text[start..end], index))
            .filter(|(value, _)| holds_chars(value, PROPAGATE_MIN_CHARS));
        let repeats = Repeats::new(values);
        if repeats.is_empty() {
            return Vec::new();
        }
        let mut found_spans: Vec<(usize, usize)> = found.iter().map(|&(s, e, _)| (s, e)).collect();
        found_spans.sort_unstable();
        let mut occurrences = repeats.occurrences(text);
        occurrences.extend(repeats.beside_findings(text, &found_spans));
        occurrences.sort_unstable();
        occurrences.dedup();
        occurrences
            .into_iter()
            .filter(|&(start, end, _)| !overlaps_any(masks, start, end))
            .filter(|&(start, end, _)| found_spans.binary_search(&(start, end)).is_err())
            .collect()
    }

    /// Masks every finding in `text`, numbering values through `book` so that the same
    /// value gets the same mask everywhere in one ticket.
    pub fn redact(&self, text: &str, book: &mut MaskBook) -> Redacted<String> {
        self.redact_keeping(text, book, &[])
    }

    /// Like `redact`, but leaves unmasked the findings at the spans in `keep` whose rule
    /// allows keeping. Secrets are masked whatever `keep` says.
    pub fn redact_keeping(
        &self,
        text: &str,
        book: &mut MaskBook,
        keep: &[(usize, usize)],
    ) -> Redacted<String> {
        apply_masks(text, self.masks_for(text, book), keep)
    }

    /// The rules whose findings are secrets (never kept), in rule order.
    pub(super) fn secret_rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(|rule| rule.secret)
    }

    /// The compiled rules, for property tests of the engine's shortcuts.
    #[cfg(test)]
    pub(super) fn compiled_rules(&self) -> &[Rule] {
        &self.rules
    }

    pub(super) fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| &*r.id == id)
    }
}

/// Writes `text` with each planned mask in place, leaving the kept findings as written.
pub(super) fn apply_masks(
    text: &str,
    planned: Vec<super::masks::PlannedMask>,
    keep: &[(usize, usize)],
) -> Redacted<String> {
    let mut out = String::with_capacity(text.len());
    let mut counts = RedactionCounts::default();
    let mut last = 0;
    // A kept finding has taken its number too, so what a preview showed is what is stored.
    for planned in planned {
        let (start, end) = (planned.finding.start, planned.finding.end);
        if planned.may_keep && keep.contains(&(start, end)) {
            continue;
        }
        // A value read through a quoted line wrap is masked part by part, so the wrap and
        // the quote prefix stay where they were.
        for part in mask_parts(text, start..end) {
            out.push_str(&text[last..part.start]);
            out.push_str(&planned.mask);
            last = part.end;
        }
        counts.add(&planned.finding.rule);
    }
    out.push_str(&text[last..]);
    Redacted::new(out, counts)
}

/// Whether one of `runs` (sorted, disjoint digit runs with their digit counts) with at least
/// `fewest` digits reaches into `window`.
fn holds_digit_run(runs: &[(Range<usize>, usize)], window: &Range<usize>, fewest: usize) -> bool {
    let first = runs.partition_point(|(span, _)| span.end <= window.start);
    runs[first..]
        .iter()
        .take_while(|(span, _)| span.start < window.end)
        .any(|&(_, digits)| digits >= fewest)
}

/// The parts of `windows` inside `near` (both sorted and disjoint), on char boundaries.
fn clip(text: &str, windows: Vec<Range<usize>>, near: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut clipped = Vec::new();
    for window in windows {
        let first = near.partition_point(|n| n.end <= window.start);
        for n in near[first..].iter().take_while(|n| n.start < window.end) {
            let start = floor_char_boundary(text, window.start.max(n.start));
            let end = ceil_char_boundary(text, window.end.min(n.end).min(text.len()));
            if start < end {
                clipped.push(start..end);
            }
        }
    }
    clipped
}

/// Whether `value` has at least `fewest` characters, without counting them all when its
/// length in bytes already settles it (a character is at most four bytes).
fn holds_chars(value: &str, fewest: usize) -> bool {
    fewest == 0
        || value.len() >= fewest * 4
        || (value.len() >= fewest && value.chars().nth(fewest - 1).is_some())
}

/// Whether `start..end` overlaps one of the sorted, disjoint `ranges`.
fn overlaps_any(ranges: &[Range<usize>], start: usize, end: usize) -> bool {
    let i = ranges.partition_point(|r| r.end <= start);
    ranges.get(i).is_some_and(|r| r.start < end)
}

/// Mask tokens already in the text (`[EMAIL-1]`): never matched again, so redacting
/// redacted text changes nothing.
fn existing_masks(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut masks = Vec::new();
    let mut i = 0;
    while let Some(offset) = memchr::memchr(b'[', &bytes[i..]) {
        let start = i + offset;
        let mut j = start + 1;
        while j < bytes.len()
            && (bytes[j].is_ascii_uppercase() || bytes[j].is_ascii_digit() || bytes[j] == b'_')
        {
            j += 1;
        }
        let label_end = j;
        if label_end > start + 1 && j < bytes.len() && bytes[j] == b'-' {
            j += 1;
            let digits_start = j;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            if j > digits_start && j < bytes.len() && bytes[j] == b']' {
                masks.push(start..j + 1);
                i = j + 1;
                continue;
            }
        }
        i = start + 1;
    }
    masks
}

/// Keeps a non-overlapping set: earlier first, then longer, then the rule listed first.
///
/// Returns the kept candidates that hid another one reaching past their end (sorted): what
/// the hidden candidate's rule would have found beside it is looked for again once the
/// winner is masked.
fn resolve_overlaps(candidates: &mut Vec<Candidate>) -> Vec<Candidate> {
    candidates.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then((b.1 - b.0).cmp(&(a.1 - a.0)))
            .then(a.2.cmp(&b.2))
    });
    let mut hiders: Vec<Candidate> = Vec::new();
    let mut winner: Option<Candidate> = None;
    candidates.retain(|&candidate| {
        match winner {
            Some(won) if candidate.0 < won.1 => {
                // A hidden candidate inside the winner consumed nothing of its rule's text
                // beyond the mask; one reaching past it may have hidden its rule's next match.
                if candidate.1 > won.1 && hiders.last() != Some(&won) {
                    hiders.push(won);
                }
                false
            }
            _ => {
                winner = Some(candidate);
                true
            }
        }
    });
    hiders
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::MaskKey;

    fn redactor() -> Redactor {
        Redactor::builtin().unwrap()
    }

    fn book() -> MaskBook {
        MaskBook::new(MaskKey::from_bytes([7; 32]), Vec::new())
    }

    #[test]
    fn builtin_rules_load_and_check_their_own_examples() {
        assert!(redactor().rule_count() >= 2);
    }

    #[test]
    fn emails_and_cards_are_masked_and_the_rest_is_kept() {
        let mut book = book();
        let out = redactor().redact(
            "Mail jane.doe+help@example.org, card 4111 1111 1111 1111, order 12345.",
            &mut book,
        );
        assert_eq!(out.as_str(), "Mail [EMAIL-1], card [CARD-1], order 12345.");
        assert_eq!(out.counts().get("email"), 1);
        assert_eq!(out.counts().get("payment_card"), 1);
    }

    #[test]
    fn the_same_value_keeps_its_mask_across_texts_of_one_ticket() {
        let redactor = redactor();
        let mut book = book();
        let first = redactor.redact("a@example.org and b@example.org", &mut book);
        let second = redactor.redact("again A@Example.org", &mut book);
        assert_eq!(first.as_str(), "[EMAIL-1] and [EMAIL-2]");
        assert_eq!(second.as_str(), "again [EMAIL-1]");
    }

    #[test]
    fn a_mask_label_wakes_no_rule() {
        // `PASSWORD` inside the mask is a keyword of the password rules: were it a hit, the
        // quoted JSON key after it would be taken for a password.
        let redactor = redactor();
        for text in [
            r#"{"password": "[PASSWORD-1]","api_key":"[SECRET-1]"}"#,
            r#"[PASSWORD-1]", "api_key": "x"#,
            r#"set [PASSWORD-1] as "api_key" in the config"#,
        ] {
            let mut book = book();
            assert_eq!(redactor.redact(text, &mut book).as_str(), text);
        }
    }

    #[test]
    fn a_mask_label_is_no_cue_for_a_value_beside_it() {
        // The cue `password` read inside `[PASSWORD-1]` would make the quoted JSON key after
        // it a quoted password; a one-character guard on the closing bracket still counts.
        let redactor = redactor();
        let text = r#"Я поменял пароль на [PASSWORD-1] вчера. {"api_key": "[SECRET-1]"}"#;
        assert_eq!(redactor.redact(text, &mut book()).as_str(), text);
        let beside = "[CARD-1]+7 (916) 123-45-67";
        assert_eq!(
            redactor.redact(beside, &mut book()).as_str(),
            "[CARD-1][PHONE-1]"
        );
    }

    #[test]
    fn a_value_read_as_one_run_with_its_neighbour_is_found_once_the_neighbour_is_masked() {
        // The phone and the card share one digit run (a comma between): the phone's rule
        // refuses a number followed by more digits until the card is masked.
        let text = "2,1769957432,ORD-2025-815074,(532) 303-0737,4898 0435 7547 9396";
        let out = redactor().redact(text, &mut book());
        assert_eq!(
            out.as_str(),
            "2,1769957432,ORD-2025-815074,[PHONE-1],[CARD-1]"
        );
    }

    #[test]
    fn a_value_brought_within_its_cues_reach_by_a_mask_is_found() {
        // The address is longer than the password rule's gap; its mask is not.
        for (text, expected) in [
            (
                "пароль от ivan.petrov@mail.ru: Xk9!vq27Lm",
                "пароль от [EMAIL-1]: [PASSWORD-1]",
            ),
            (
                "Пароль для входа на ivan.petrov@mail.ru: Qwerty2024!",
                "Пароль для входа на [EMAIL-1]: [PASSWORD-1]",
            ),
        ] {
            assert_eq!(redactor().redact(text, &mut book()).as_str(), expected);
        }
    }

    #[test]
    fn a_mask_with_prose_around_it_needs_no_second_look() {
        let text = "card 4111 1111 1111 1111, call";
        let at = text.find('4').unwrap();
        let end = at + "4111 1111 1111 1111".len();
        assert!(!touches_a_neighbour(text, at, end));
        assert!(touches_a_neighbour("x4111 1111 1111 1111", 1, 20));
        assert!(touches_a_neighbour("4111 1111 1111 1111, 12", 0, 19));
        assert!(!touches_a_neighbour("4111 1111 1111 1111\n12", 0, 19));
    }

    #[test]
    fn findings_report_byte_offsets_into_the_input() {
        let text = "Пишите: ivan@пример.рф";
        let findings = redactor().find(text);
        assert_eq!(findings.len(), 1);
        assert_eq!(&text[findings[0].start..findings[0].end], "ivan@пример.рф");
    }

    #[test]
    fn broken_rule_sets_are_refused_with_file_and_rule() {
        let cases = [
            (
                "[[rule]]\nid='x'\ndescription='d'\nmask='X'\nregex='('\nexamples=['a']\n",
                "bad regex",
            ),
            (
                "[[rule]]\nid='x'\ndescription='d'\nmask='X'\nregex='a'\nvalidator='nope'\nexamples=['a']\n",
                "unknown validator",
            ),
            (
                "[[rule]]\nid='x'\ndescription='d'\nmask='X'\nregex='a'\nexamples=['b']\n",
                "does not match",
            ),
            (
                "[[rule]]\nid='x'\ndescription='d'\nmask='X'\nregex='a'\nexamples=['a']\ncounterexamples=['a']\n",
                "counterexample",
            ),
            (
                "[[rule]]\nid='x'\ndescription='d'\nmask='X'\nregex='a'\nexamples=['a']\n[[rule]]\nid='x'\ndescription='d'\nmask='X'\nregex='a'\nexamples=['a']\n",
                "duplicate",
            ),
            (
                "[[rule]]\nid='x'\ndescription='d'\nmask='X'\nregex='a'\nexamples=['a']\nsecret=true\nuser_may_keep=true\n",
                "never be kept",
            ),
            (
                "[[rule]]\nid='x'\nmask='X'\nregex='a'\n",
                "not a valid rule file",
            ),
            (
                "[[rule]]\nid='x'\ndescription='d'\nmask='X'\nregex='code [a-z0-9]+'\nscope='digits'\nkeywords=['code']\nexamples=['code abc']\n",
                "has no digit",
            ),
        ];
        for (text, expected) in cases {
            let err = Redactor::from_sources([("hostile.toml".to_owned(), text.to_owned())])
                .unwrap_err()
                .to_string();
            assert!(err.contains("hostile.toml"), "{err}");
            assert!(err.contains(expected), "{err} should mention {expected}");
        }
    }

    #[test]
    fn a_catastrophically_large_regex_is_refused_not_compiled() {
        let text = "[[rule]]\nid='x'\ndescription='d'\nmask='X'\nregex='(\\w{100}){100}'\nexamples=['a']\n";
        let err = Redactor::from_sources([("big.toml".to_owned(), text.to_owned())]).unwrap_err();
        assert!(err.to_string().contains("bad regex"), "{err}");
    }
}
