//! MIME structure checks on the worst shape known: 32 000 nested multiparts (3.8 MB), which
//! took 7 s when the completeness check scanned the message once per part. Run with
//! `cargo bench --bench mime`.

#![allow(clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hushdesk::mail::structure::{MimeLimits, check_complete, nested_multiparts, prescan};

fn bench(c: &mut Criterion) {
    let raw = nested_multiparts(32_000);
    let mut group = c.benchmark_group("mime_32k_nested");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(raw.len() as u64));

    // What the listener does with it: refused once the depth limit is passed.
    group.bench_function("prescan_default_limits", |b| {
        b.iter(|| black_box(prescan(black_box(&raw), &MimeLimits::default())))
    });
    let unlimited = MimeLimits {
        max_depth: usize::MAX,
        max_parts: usize::MAX,
    };
    // The whole message scanned: the pre-scan's cost on any message of this size.
    group.bench_function("prescan_whole_message", |b| {
        b.iter(|| black_box(prescan(black_box(&raw), &unlimited)))
    });
    // Past raised limits: mail-parser, then the completeness check (one pass for all parts).
    group.bench_function("parse", |b| {
        b.iter(|| black_box(mail_parser::MessageParser::default().parse(black_box(&raw))))
    });
    let message = mail_parser::MessageParser::default()
        .parse(&raw)
        .expect("the nested shape parses");
    group.bench_function("check_complete", |b| {
        b.iter(|| black_box(check_complete(black_box(&message), black_box(&raw)).is_ok()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
