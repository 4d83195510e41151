//! Vectorscan (Hyperscan) as the redactor's one-pass candidate finder, measured: every rule's
//! regex compiled into one block-mode database, scanned over the two 10 MiB documents of
//! `cargo bench --bench quality -- --find-only` (dense) and `-- --sparse --find-only`.
//!
//! Run on one core: `taskset -c 1 cargo run --release -- [--per-rule] [--check]`.
//! Without flags: the compile report and the whole-database scans.

#[path = "../../../tests/corpus/mod.rs"]
mod corpus;
mod measure;
mod rules;
mod semantics;
mod verify;

use std::time::{Duration, Instant};

use hyperscan::prelude::*;

use measure::{Scan, cpu_now, scan_best};
use rules::RuleRegex;

const DOCUMENT_BYTES: usize = 10 * 1024 * 1024;
/// The seed `benches/quality.rs` uses: the documents here are byte for byte the ones it times.
const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

type BoxError = Box<dyn std::error::Error>;

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| args.iter().any(|a| a == name);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../redaction-rules");
    let rules = rules::load(&dir)?;
    println!(
        "{} rules from redaction-rules/*.toml; Vectorscan {}",
        rules.len(),
        hyperscan::version_str().to_string_lossy()
    );
    let compiled = compile_report(&rules);
    let docs = documents();

    let all: Vec<usize> = (0..rules.len())
        .filter(|&i| compiled[i].plain.is_ok())
        .collect();
    let as_written: Vec<usize> = (0..rules.len())
        .filter(|&i| compiled[i].accepted_as_written())
        .collect();
    let exact: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&i| !compiled[i].plain_flags.contains(CompileFlags::PREFILTER))
        .collect();
    let cued: Vec<usize> = exact
        .iter()
        .copied()
        .filter(|&i| !rules[i].keywords.is_empty())
        .collect();
    let uncued: Vec<usize> = exact
        .iter()
        .copied()
        .filter(|&i| rules[i].keywords.is_empty())
        .collect();
    let sets = [
        (
            "(a) every rule (translated; PREFILTER where too large), no SOM",
            &all,
            false,
        ),
        (
            "(a) every rule (translated; PREFILTER where too large), SOM_LEFTMOST where accepted",
            &all,
            true,
        ),
        (
            "(b) only the rules accepted as written, no SOM",
            &as_written,
            false,
        ),
        (
            "(b) only the rules accepted as written, SOM_LEFTMOST where accepted",
            &as_written,
            true,
        ),
        (EXACT_NO_SOM, &exact, false),
        (EXACT_SOM, &exact, true),
        (
            "(b') of those, the rules with keywords, no SOM",
            &cued,
            false,
        ),
        (
            "(b') of those, the rules without keywords (digit / capitalised / name scope), no SOM",
            &uncued,
            false,
        ),
    ];
    let mut tickets = Vec::new();
    for (label, set, som) in sets {
        let Some(db) = whole_database(label, &rules, &compiled, set, som) else {
            continue;
        };
        let scratch = db.alloc_scratch()?;
        for (name, text) in &docs {
            let scan = scan_best(&db, &scratch, text.as_bytes(), 3, rules.len())?;
            println!("  {name}: {}", scan.summary(text.len()));
            print_floods(&scan, &rules, 8);
        }
        tickets.push((label, db, scratch));
    }
    if let Some(db) = keyword_database(&rules) {
        let label =
            "(d) only the keywords of the rules that have them, one caseless pattern per rule";
        let scratch = db.alloc_scratch()?;
        for (name, text) in &docs {
            let scan = scan_best(&db, &scratch, text.as_bytes(), 3, rules.len())?;
            println!("  {name}: {}", scan.summary(text.len()));
            print_floods(&scan, &rules, 8);
        }
        tickets.push((label, db, scratch));
    }
    for (label, db, scratch) in &tickets {
        ticket_cost(label, db, scratch, &docs)?;
    }
    if flag("--check") {
        for (label, db, scratch) in &tickets {
            let som = match *label {
                EXACT_NO_SOM => false,
                EXACT_SOM => true,
                _ => continue,
            };
            let checkers = checkers(&rules, &compiled, &exact, som)?;
            println!("\n### Candidates checked by the exact Rust regex: {label}\n");
            for (name, text) in &docs {
                let outcome = verify::scan_and_check(db, scratch, text, &checkers)?;
                println!("  {name}: {}", outcome.summary(text.len()));
            }
        }
    }
    if flag("--per-rule") {
        per_rule(&rules, &compiled, &docs)?;
    }
    Ok(())
}

const EXACT_NO_SOM: &str = "(b') every rule accepted without PREFILTER (translated), no SOM";
const EXACT_SOM: &str =
    "(b') every rule accepted without PREFILTER (translated), SOM_LEFTMOST where accepted";

/// The check stage for `set`: each rule's exact regex, and how far back its candidate spans reach.
fn checkers(
    rules: &[RuleRegex],
    compiled: &[Compiled],
    set: &[usize],
    som: bool,
) -> Result<Vec<Option<verify::Checker>>, BoxError> {
    let mut out: Vec<Option<verify::Checker>> = (0..rules.len()).map(|_| None).collect();
    for &i in set {
        let info =
            Pattern::with_flags(rules[i].translated.as_str(), compiled[i].plain_flags)?.info()?;
        let back = if info.max_width() >= u32::MAX as usize {
            verify::UNBOUNDED_BACK
        } else {
            info.max_width()
        };
        out[i] = Some(verify::Checker {
            exact: regex_automata::meta::Regex::new(&rules[i].rust)?,
            som: som && compiled[i].som.is_ok(),
            back,
        });
    }
    Ok(out)
}

/// The two documents of `benches/quality.rs`, from the same generator and seed.
fn documents() -> Vec<(&'static str, String)> {
    let mut rng = corpus::Rng::new(SEED);
    let dense = corpus::document(&mut rng, DOCUMENT_BYTES).text;
    let mut rng = corpus::Rng::new(SEED);
    let sparse = corpus::document_with(&mut rng, DOCUMENT_BYTES, 2, 4).text;
    vec![("dense", dense), ("sparse", sparse)]
}

fn base_flags() -> CompileFlags {
    CompileFlags::UTF8 | CompileFlags::UCP
}

/// One rule compiled on its own: what Vectorscan said, and the database when it agreed.
struct Compiled {
    /// Vectorscan's refusal of the regex exactly as written, when it refused it.
    as_written: Option<String>,
    /// Whether a translation was needed.
    translated: bool,
    /// UTF8|UCP, and PREFILTER when the pattern is too large without it.
    plain: Result<BlockDatabase, String>,
    /// The flags `plain` was built with.
    plain_flags: CompileFlags,
    /// `plain_flags` | SOM_LEFTMOST.
    som: Result<BlockDatabase, String>,
}

impl Compiled {
    fn accepted_as_written(&self) -> bool {
        self.as_written.is_none()
            && !self.translated
            && self.plain_flags == base_flags()
            && self.plain.is_ok()
    }
}

fn compile_one(expression: &str, flags: CompileFlags) -> Result<BlockDatabase, String> {
    let pattern = Pattern::with_flags(expression, flags).map_err(|e| e.to_string())?;
    pattern.build().map_err(|e| compile_message(&e))
}

fn compile_message(e: &hyperscan::Error) -> String {
    match e {
        hyperscan::Error::Hyperscan(hyperscan::HsError::CompileError(c)) => c.message().to_owned(),
        other => other.to_string(),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

fn compile_report(rules: &[RuleRegex]) -> Vec<Compiled> {
    println!("\n## Compile, one rule at a time (UTF8|UCP)\n");
    println!(
        "| file | rule | as written | translation | UTF8\\|UCP | + SOM_LEFTMOST |\n|---|---|---|---|---|---|"
    );
    let timed = |expr: &str, flags| {
        let started = Instant::now();
        let r = compile_one(expr, flags);
        (r, started.elapsed())
    };
    let mut out = Vec::new();
    let mut total = Duration::ZERO;
    for rule in rules {
        let mut plain_flags = base_flags();
        let (mut plain, mut t_plain) = timed(&rule.translated, plain_flags);
        let as_written = if rule.translations.is_empty() {
            plain.as_ref().err().cloned()
        } else {
            compile_one(&rule.rust, base_flags()).err()
        };
        let mut plain_note = String::new();
        if let Err(e) = &plain {
            plain_note = format!("REFUSED: {e} ({}); ", ms(t_plain));
            plain_flags |= CompileFlags::PREFILTER;
            (plain, t_plain) = timed(&rule.translated, plain_flags);
            plain_note.push_str("with PREFILTER: ");
        }
        total += t_plain;
        let (som, t_som) = timed(&rule.translated, plain_flags | CompileFlags::SOM_LEFTMOST);
        let show = |r: &Result<BlockDatabase, String>, t: Duration| match r {
            Ok(_) => format!("ok ({})", ms(t)),
            Err(e) => format!("REFUSED: {e} ({})", ms(t)),
        };
        println!(
            "| {} | {} | {} | {} | {}{} | {} |",
            rule.file,
            rule.id,
            match &as_written {
                None => "ok".to_owned(),
                Some(e) => format!("REFUSED: {e}"),
            },
            if rule.translations.is_empty() {
                "-".to_owned()
            } else {
                rule.translations.join("; ")
            },
            plain_note,
            show(&plain, t_plain),
            show(&som, t_som),
        );
        out.push(Compiled {
            as_written,
            translated: !rule.translations.is_empty(),
            plain,
            plain_flags,
            som,
        });
    }
    let count = |f: &dyn Fn(&Compiled) -> bool| out.iter().filter(|c| f(c)).count();
    println!(
        "\naccepted of {}: as written {}; after translation {} ({} only with PREFILTER); with SOM_LEFTMOST {}; sum of single-rule compile times {}",
        rules.len(),
        count(&|c| c.accepted_as_written()),
        count(&|c| c.plain.is_ok()),
        count(&|c| c.plain.is_ok() && c.plain_flags.contains(CompileFlags::PREFILTER)),
        count(&|c| c.som.is_ok()),
        ms(total)
    );
    out
}

/// Compiles `set` into one database: each rule with the flags it compiled with alone, plus
/// SOM_LEFTMOST (when `som` and the rule accepted it).
fn whole_database(
    label: &str,
    rules: &[RuleRegex],
    compiled: &[Compiled],
    set: &[usize],
    som: bool,
) -> Option<BlockDatabase> {
    let mut with_som = 0;
    let patterns: Result<Vec<Pattern>, hyperscan::Error> = set
        .iter()
        .map(|&i| {
            let mut flags = compiled[i].plain_flags;
            if som && compiled[i].som.is_ok() {
                flags |= CompileFlags::SOM_LEFTMOST;
                with_som += 1;
            }
            let mut p = Pattern::with_flags(rules[i].translated.as_str(), flags)?;
            p.id = Some(i);
            Ok(p)
        })
        .collect();
    let patterns = match patterns {
        Ok(p) => Patterns(p),
        Err(e) => {
            println!("\n### {label}\n{e}");
            return None;
        }
    };
    let cpu = cpu_now();
    let started = Instant::now();
    let built: Result<BlockDatabase, _> = patterns.build();
    let wall = started.elapsed();
    let cpu = cpu_now().zip(cpu).map(|(b, a)| b - a);
    println!("\n### {label}\n");
    match built {
        Ok(db) => {
            println!(
                "{} rules ({} with SOM_LEFTMOST), one database compiled in {} wall, {} on CPU, {} KiB",
                set.len(),
                with_som,
                ms(wall),
                cpu.map(ms).unwrap_or_default(),
                db.size().unwrap_or(0) / 1024
            );
            Some(db)
        }
        Err(e) => {
            println!(
                "{} rules REFUSED together: {}",
                set.len(),
                compile_message(&e)
            );
            None
        }
    }
}

/// The anchor pass alone, done by Vectorscan: each keyword rule's keywords as one caseless
/// alternation (UTF8|UCP|CASELESS folds Cyrillic too), SOM_LEFTMOST.
fn keyword_database(rules: &[RuleRegex]) -> Option<BlockDatabase> {
    let label = "(d) only the keywords of the rules that have them, one caseless pattern per rule";
    let flags = base_flags() | CompileFlags::CASELESS | CompileFlags::SOM_LEFTMOST;
    let patterns: Result<Vec<Pattern>, hyperscan::Error> = rules
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.keywords.is_empty())
        .map(|(i, r)| {
            let mut p = Pattern::with_flags(rules::keyword_pattern(&r.keywords), flags)?;
            p.id = Some(i);
            Ok(p)
        })
        .collect();
    let patterns = Patterns(patterns.ok()?);
    let started = Instant::now();
    let built: Result<BlockDatabase, _> = patterns.build();
    println!("\n### {label}\n");
    match built {
        Ok(db) => {
            println!(
                "{} patterns, {} keywords, compiled in {}, {} KiB",
                patterns.0.len(),
                rules.iter().map(|r| r.keywords.len()).sum::<usize>(),
                ms(started.elapsed()),
                db.size().unwrap_or(0) / 1024
            );
            Some(db)
        }
        Err(e) => {
            println!("REFUSED: {}", compile_message(&e));
            None
        }
    }
}

fn print_floods(scan: &Scan, rules: &[RuleRegex], n: usize) {
    let mut by_rule: Vec<(usize, u64)> = scan
        .per_pattern
        .iter()
        .copied()
        .enumerate()
        .filter(|p| p.1 > 0)
        .collect();
    by_rule.sort_by_key(|p| std::cmp::Reverse(p.1));
    let top: Vec<String> = by_rule
        .iter()
        .take(n)
        .map(|&(i, c)| format!("{} {c}", rules[i].id))
        .collect();
    println!("    most callbacks: {}", top.join(", "));
}

/// (c) each rule alone, with and without SOM: the 15 slowest per document.
fn per_rule(
    rules: &[RuleRegex],
    compiled: &[Compiled],
    docs: &[(&str, String)],
) -> Result<(), BoxError> {
    for mode in ["no SOM", "SOM_LEFTMOST"] {
        for (name, text) in docs {
            let mut rows = Vec::new();
            for (i, c) in compiled.iter().enumerate() {
                let db = if mode == "no SOM" { &c.plain } else { &c.som };
                let Ok(db) = db else { continue };
                let scratch = db.alloc_scratch()?;
                let scan = scan_best(db, &scratch, text.as_bytes(), 1, rules.len())?;
                rows.push((i, scan));
            }
            let total: f64 = rows.iter().map(|r| r.1.cpu_secs()).sum();
            rows.sort_by(|a, b| b.1.cpu_secs().total_cmp(&a.1.cpu_secs()));
            println!(
                "\n### (c) each rule alone, {name}, {mode}: {} rules, sum of their scans {:.0} ms on CPU; the 15 slowest\n",
                rows.len(),
                total * 1e3
            );
            println!("| rule | flags | CPU ms | MB/s | callbacks |\n|---|---|---|---|---|");
            for (i, scan) in rows.iter().take(15) {
                println!(
                    "| {} | {} | {:.1} | {:.0} | {} |",
                    rules[*i].id,
                    if compiled[*i].plain_flags.contains(CompileFlags::PREFILTER) {
                        "PREFILTER"
                    } else {
                        ""
                    },
                    scan.cpu_secs() * 1e3,
                    text.len() as f64 / 1e6 / scan.cpu_secs(),
                    scan.callbacks
                );
            }
        }
    }
    Ok(())
}

/// The fixed cost of one 1 KiB ticket: a 1 KiB slice of each document scanned many times with
/// the scratch reused.
fn ticket_cost(
    label: &str,
    db: &BlockDatabase,
    scratch: &Scratch,
    docs: &[(&str, String)],
) -> Result<(), BoxError> {
    const ROUNDS: u32 = 20_000;
    for (name, text) in docs {
        let mut start = text.len() / 3;
        while !text.is_char_boundary(start) {
            start += 1;
        }
        let mut end = start + 1024;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let ticket = &text.as_bytes()[start..end];
        let mut callbacks = 0u64;
        let cpu = cpu_now();
        let started = Instant::now();
        for _ in 0..ROUNDS {
            db.scan(ticket, scratch, |_, _, _, _| {
                callbacks += 1;
                Matching::Continue
            })?;
        }
        let wall = started.elapsed();
        let cpu = cpu_now().zip(cpu).map(|(b, a)| b - a);
        println!(
            "\n1 KiB ticket ({} bytes of the {name} document), {label}: {:.1} µs per scan on CPU ({:.1} µs wall), {} callbacks per scan",
            ticket.len(),
            cpu.map(|d| d.as_secs_f64() * 1e6 / f64::from(ROUNDS))
                .unwrap_or(f64::NAN),
            wall.as_secs_f64() * 1e6 / f64::from(ROUNDS),
            callbacks / u64::from(ROUNDS)
        );
    }
    Ok(())
}
