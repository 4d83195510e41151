//! Redaction quality on a large generated corpus: recall per family and over-redaction
//! (decoys touched, clean bytes masked), printed as a table.
//!
//! `cargo bench --bench quality` prints the table; `cargo bench --bench quality -- --emit FILE`
//! also writes the 10 MB mixed document used for throughput comparisons, and its labels as
//! FILE.labels.tsv (family, kind, start, end) for scoring other tools.

#[path = "../tests/corpus/mod.rs"]
mod corpus;

use std::collections::BTreeMap;
use std::io::Write;

use corpus::{Family, Rng};
use hushdesk::redact::Redactor;

const DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let emit = args
        .iter()
        .position(|a| a == "--emit")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let redactor = match Redactor::builtin() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("built-in rules: {e}");
            std::process::exit(1);
        }
    };
    let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15);
    // `--sparse`: one planted item in fifty sentences, closer to real tickets than the
    // default mix (three in ten), which stresses the engine with a finding every 190 bytes.
    let doc = if args.iter().any(|a| a == "--sparse") {
        corpus::document_with(&mut rng, DOCUMENT_BYTES, 2, 4)
    } else {
        corpus::document(&mut rng, DOCUMENT_BYTES)
    };

    if args.iter().any(|a| a == "--multi-pattern") {
        return multi_pattern_pass(&doc.text);
    }

    let started = std::time::Instant::now();
    let cpu_started = thread_cpu_time();
    let findings = redactor.find(&doc.text);
    let elapsed = started.elapsed();
    let cpu = thread_cpu_time()
        .zip(cpu_started)
        .map(|(end, start)| end - start);
    if args.iter().any(|a| a == "--per-rule") {
        let mut profile = redactor.profile(&doc.text);
        profile.sort_by_key(|p| std::cmp::Reverse(p.1));
        for (rule, time, n) in profile {
            println!(
                "  {rule:<56} {:>8.1} ms  {n} matches",
                time.as_secs_f64() * 1e3
            );
        }
    }
    if args.iter().any(|a| a == "--find-only") {
        if args.iter().any(|a| a == "--warm") {
            let cpu_started = thread_cpu_time();
            let again = redactor.find(&doc.text);
            let cpu = thread_cpu_time()
                .zip(cpu_started)
                .map(|(end, start)| end - start);
            println!(
                "find() again, caches warm: {} findings{}",
                again.len(),
                on_cpu(cpu, doc.text.len())
            );
        }
        println!(
            "find(): {:.1} ms, {} findings{}",
            elapsed.as_secs_f64() * 1e3,
            findings.len(),
            on_cpu(cpu, doc.text.len())
        );
        return Ok(());
    }

    let covered = |r: &std::ops::Range<usize>| {
        findings
            .iter()
            .any(|f| f.start <= r.start && f.end >= r.end)
    };
    let touched =
        |r: &std::ops::Range<usize>| findings.iter().any(|f| f.start < r.end && r.start < f.end);

    let mut recall: BTreeMap<Family, (usize, usize)> = BTreeMap::new();
    for (family, _, range) in &doc.planted {
        let entry = recall.entry(*family).or_default();
        entry.1 += 1;
        if covered(range) {
            entry.0 += 1;
        }
    }
    let mut decoys: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (kind, range) in &doc.decoys {
        let entry = decoys.entry(kind).or_default();
        entry.1 += 1;
        if touched(range) {
            entry.0 += 1;
        }
    }
    // Bytes masked outside every planted span: the cost of over-redaction in the text itself.
    let mut planted_mask = vec![false; doc.text.len()];
    for (_, _, r) in &doc.planted {
        planted_mask[r.clone()].iter_mut().for_each(|b| *b = true);
    }
    let clean_bytes = planted_mask.iter().filter(|b| !**b).count();
    let over_masked: usize = findings
        .iter()
        .map(|f| (f.start..f.end).filter(|&i| !planted_mask[i]).count())
        .sum();

    println!(
        "corpus: {} bytes, {} planted items, {} decoys, {} findings",
        doc.text.len(),
        doc.planted.len(),
        doc.decoys.len(),
        findings.len()
    );
    println!(
        "find() on the whole document: {:.1} ms ({:.0} MB/s, this machine, one thread){}\n",
        elapsed.as_secs_f64() * 1e3,
        doc.text.len() as f64 / 1e6 / elapsed.as_secs_f64(),
        on_cpu(cpu, doc.text.len())
    );
    println!("| family | found / planted | recall |\n|---|---|---|");
    for family in Family::ALL {
        let (found, total) = recall.get(&family).copied().unwrap_or_default();
        println!(
            "| {family:?} | {found} / {total} | {:.2}% |",
            100.0 * found as f64 / total.max(1) as f64
        );
    }
    println!("\n| decoy | masked / present |\n|---|---|");
    for (kind, (masked, total)) in &decoys {
        println!("| {kind} | {masked} / {total} |");
    }
    println!(
        "\nover-redaction: {over_masked} of {clean_bytes} clean bytes masked ({:.4}%)",
        100.0 * over_masked as f64 / clean_bytes as f64
    );

    if args.iter().any(|a| a == "--per-file") {
        println!("\ntime per rule file on the same document:");
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/redaction-rules"))? {
            let path = entry?.path();
            let text = std::fs::read_to_string(&path)?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let Ok(single) = Redactor::from_rule_file(&name, &text) else {
                continue;
            };
            let started = std::time::Instant::now();
            let n = single.find(&doc.text).len();
            println!(
                "  {name:<22} {:>8.1} ms  {n} findings",
                started.elapsed().as_secs_f64() * 1e3
            );
        }
    }

    if let Some(path) = emit {
        std::fs::write(&path, &doc.text)?;
        let mut labels = std::fs::File::create(format!("{path}.labels.tsv"))?;
        for (family, kind, r) in &doc.planted {
            writeln!(labels, "{family:?}\t{kind}\t{}\t{}", r.start, r.end)?;
        }
        for (kind, r) in &doc.decoys {
            writeln!(labels, "Decoy\t{kind}\t{}\t{}", r.start, r.end)?;
        }
        println!("wrote {path} and {path}.labels.tsv");
    }
    Ok(())
}

/// The design not taken, measured for comparison: every rule's regex in one multi-pattern
/// automaton (`regex_automata::meta::Regex::new_many`), one leftmost-first pass as a candidate
/// finder. It is a lower bound for that design: overlapping candidates, validation and
/// context would come on top.
fn multi_pattern_pass(text: &str) -> std::io::Result<()> {
    let mut patterns: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/redaction-rules"))? {
        let source = std::fs::read_to_string(entry?.path())?;
        let Ok(parsed) = source.parse::<toml::Table>() else {
            continue;
        };
        let rules = parsed.get("rule").and_then(|r| r.as_array()).cloned();
        for rule in rules.unwrap_or_default() {
            if let Some(regex) = rule.get("regex").and_then(|r| r.as_str()) {
                patterns.push(regex.to_owned());
            }
        }
    }
    let started = std::time::Instant::now();
    // A lazy DFA cache large enough for every rule's states at once: with the default
    // (2 MiB) the Unicode-heavy patterns overflow it and the search falls back to the NFA.
    let config = regex_automata::meta::Config::new()
        .hybrid_cache_capacity(512 << 20)
        .nfa_size_limit(Some(512 << 20))
        .dfa_size_limit(Some(512 << 20))
        .which_captures(regex_automata::nfa::thompson::WhichCaptures::Implicit);
    // The lazy DFA gives up on Unicode word boundaries at the first non-ASCII byte and the
    // search falls back to the NFA: ASCII boundaries stand in for them here (a lower bound).
    let patterns: Vec<String> = patterns
        .iter()
        .map(|p| p.replace(r"\b", r"(?-u:\b)").replace(r"\B", r"(?-u:\B)"))
        .collect();
    let Ok(all) = regex_automata::meta::Builder::new()
        .configure(config)
        .build_many(&patterns)
    else {
        println!("multi-pattern: the rules do not compile together");
        return Ok(());
    };
    let built = started.elapsed();
    let started = std::time::Instant::now();
    let candidates = all.find_iter(text).count();
    let elapsed = started.elapsed();
    println!(
        "\nmulti-pattern pass ({} rules in one automaton): built in {:.1} ms, {candidates} candidates in {:.1} ms ({:.0} MB/s)",
        patterns.len(),
        built.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e3,
        text.len() as f64 / 1e6 / elapsed.as_secs_f64()
    );
    Ok(())
}

/// Time this thread has spent on a CPU (Linux `schedstat`), so a figure taken while other
/// work shares the cores still says what the redactor costs.
fn thread_cpu_time() -> Option<std::time::Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(std::time::Duration::from_nanos(nanos))
}

fn on_cpu(cpu: Option<std::time::Duration>, bytes: usize) -> String {
    cpu.map(|cpu| {
        format!(
            "; on CPU {:.1} ms ({:.0} MB/s)",
            cpu.as_secs_f64() * 1e3,
            bytes as f64 / 1e6 / cpu.as_secs_f64()
        )
    })
    .unwrap_or_default()
}
