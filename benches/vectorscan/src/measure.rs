//! One scan, timed on the thread's CPU clock, with its match callbacks counted per pattern.

use std::time::{Duration, Instant};

use hyperscan::prelude::*;

/// What one scan of a text cost and reported.
pub struct Scan {
    pub cpu: Option<Duration>,
    pub wall: Duration,
    pub callbacks: u64,
    /// Callbacks per pattern id (the rule's index).
    pub per_pattern: Vec<u64>,
}

impl Scan {
    /// CPU time when the kernel tells it, wall time otherwise.
    pub fn cpu_secs(&self) -> f64 {
        self.cpu.unwrap_or(self.wall).as_secs_f64()
    }

    pub fn summary(&self, bytes: usize) -> String {
        format!(
            "scan {:.1} ms on CPU ({:.0} MB/s), {:.1} ms wall, {} callbacks",
            self.cpu_secs() * 1e3,
            bytes as f64 / 1e6 / self.cpu_secs(),
            self.wall.as_secs_f64() * 1e3,
            self.callbacks
        )
    }
}

/// Time this thread has spent on a CPU (Linux `schedstat`, as `benches/quality.rs` reads it),
/// so a figure taken while other work shares the cores still says what the scan costs.
pub fn cpu_now() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// The fastest of `rounds` scans (they report the same matches; the spread is noise).
pub fn scan_best(
    db: &BlockDatabase,
    scratch: &Scratch,
    text: &[u8],
    rounds: usize,
    patterns: usize,
) -> hyperscan::Result<Scan> {
    let mut best: Option<Scan> = None;
    for _ in 0..rounds.max(1) {
        let mut per_pattern = vec![0u64; patterns];
        let mut callbacks = 0u64;
        let cpu = cpu_now();
        let started = Instant::now();
        db.scan(text, scratch, |id, _from, _to, _flags| {
            callbacks += 1;
            if let Some(n) = per_pattern.get_mut(id as usize) {
                *n += 1;
            }
            Matching::Continue
        })?;
        let wall = started.elapsed();
        let cpu = cpu_now().zip(cpu).map(|(b, a)| b - a);
        let scan = Scan {
            cpu,
            wall,
            callbacks,
            per_pattern,
        };
        if best.as_ref().is_none_or(|b| scan.cpu_secs() < b.cpu_secs()) {
            best = Some(scan);
        }
    }
    Ok(best.unwrap_or(Scan {
        cpu: None,
        wall: Duration::ZERO,
        callbacks: 0,
        per_pattern: Vec::new(),
    }))
}
