//! Redactor throughput on realistic ticket text: a short ticket, and a body at the
//! default 64 KiB size limit. Run with `cargo bench --bench redact`.

#![allow(clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hushdesk::redact::{MaskBook, MaskKey, Redactor};

const TICKET: &str = "Hello support,\n\
I was charged twice for order 4417-2231 on 2026-11-02. My card is 4111 1111 1111 1111 and the \
second charge shows up as ref 1700000000004. Please write to jane.doe+billing@example.org, not \
to my old address jane@old-provider.net.\n\
Здравствуйте! Платёж по карте МИР 2200 0000 0000 0004 не прошёл, версия приложения 3.14.2, \
пишите на иван.петров@пример.рф.\n\
The app log says: HTTP 502 at 12:03, request id 123e4567-e89b-12d3-a456-426614174000.\n\
Thanks, Jane\n";

fn bench(c: &mut Criterion) {
    let redactor = Redactor::builtin().expect("built-in rules load");
    let mut group = c.benchmark_group("redact");

    group.throughput(Throughput::Bytes(TICKET.len() as u64));
    group.bench_function("ticket_1kb", |b| {
        b.iter(|| {
            let mut book = MaskBook::new(MaskKey::from_bytes([1; 32]), Vec::new());
            black_box(redactor.redact(black_box(TICKET), &mut book));
        })
    });

    let large: String = TICKET.repeat(64 * 1024 / TICKET.len());
    group.throughput(Throughput::Bytes(large.len() as u64));
    group.bench_function("body_64kb", |b| {
        b.iter(|| {
            let mut book = MaskBook::new(MaskKey::from_bytes([1; 32]), Vec::new());
            black_box(redactor.redact(black_box(&large), &mut book));
        })
    });

    let plain = "Nothing personal in this sentence, just words about the app and version 2.3.4. "
        .repeat(800);
    group.throughput(Throughput::Bytes(plain.len() as u64));
    group.bench_function("no_findings_64kb", |b| {
        b.iter(|| {
            let mut book = MaskBook::new(MaskKey::from_bytes([1; 32]), Vec::new());
            black_box(redactor.redact(black_box(&plain), &mut book));
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
