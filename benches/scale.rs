//! Scale benchmark: validation and conversion against parse-only baselines,
//! on synthetic datasets of 10k, 100k and 1M pledges, in one run.
//!
//! ```sh
//! cargo bench --bench scale                          # 10k and 100k
//! cargo bench --bench scale -- --sizes 10000,100000,1000000 --runs 3
//! ```
//!
//! Each measurement runs in a child process, so that its peak memory
//! (VmHWM) is its own; the median of `--runs` runs is reported. The runs
//! go round the phases and sizes (every phase at every size once, then
//! again), so that a slower spell of a shared machine does not fall on one
//! phase or size only. Before each run, the files the phase reads are read
//! once, untimed, so that it finds them in the page cache. Datasets are
//! generated once under `target/bench-data/`.

#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde::de::IgnoredAny;
use ukraine_pledges::validate::{Options, validate_dir};
use ukraine_pledges::write::write_csv_dir;
use ukraine_pledges::write::write_json_dir;
use ukraine_pledges::{Dataset, generate};

const PHASES: [&str; 6] = [
    "json-parse",
    "csv-parse",
    "validate-json",
    "validate-csv",
    "json-to-csv",
    "csv-to-json",
];

fn files_with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("dataset dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

fn bytes_of(files: &[PathBuf]) -> u64 {
    files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum()
}

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Runs one phase in this process and prints `seconds peak_kb`.
fn child(phase: &str, dir: &Path) {
    let out = tempfile::tempdir().expect("temp dir");
    let start = Instant::now();
    match phase {
        "json-parse" => {
            for f in files_with_ext(dir, "json") {
                let bytes = std::fs::read(&f).expect("read");
                let _: IgnoredAny = serde_json::from_slice(&bytes).expect("json");
            }
        }
        "csv-parse" => {
            for f in files_with_ext(&dir.join("csv"), "csv") {
                let mut reader = csv::Reader::from_path(&f).expect("csv");
                let mut record = csv::ByteRecord::new();
                while reader.read_byte_record(&mut record).expect("row") {}
            }
        }
        "validate-json" => assert!(
            validate_dir(dir, &Options::default())
                .expect("runs")
                .is_valid(false)
        ),
        "validate-csv" => assert!(
            validate_dir(&dir.join("csv"), &Options::default())
                .expect("runs")
                .is_valid(false)
        ),
        // As `pledges convert` does, the dataset is left to the process's
        // exit rather than freed record by record once the files are written.
        "json-to-csv" => {
            let dataset = Dataset::load(dir).expect("valid");
            write_csv_dir(&dataset, out.path()).expect("write");
            std::mem::forget(dataset);
        }
        "csv-to-json" => {
            let dataset = Dataset::load(dir.join("csv")).expect("valid");
            write_json_dir(&dataset, out.path(), "../schema").expect("write");
            std::mem::forget(dataset);
        }
        other => panic!("unknown phase {other}"),
    }
    println!("{} {}", start.elapsed().as_secs_f64(), peak_rss_kb());
}

/// Reads the files `phase` reads, untimed, so that the phase finds them in
/// the page cache: a machine that pages out files it thinks cold (as this
/// one's memory manager does) would otherwise time its disk now and then.
fn warm(phase: &str, dir: &Path) {
    let reads_csv = phase.starts_with("csv") || phase == "validate-csv";
    let files = if reads_csv {
        let csv = dir.join("csv");
        [files_with_ext(&csv, "csv"), files_with_ext(&csv, "json")].concat()
    } else {
        files_with_ext(dir, "json")
    };
    for f in files {
        let mut file = std::fs::File::open(&f).expect("dataset file");
        std::io::copy(&mut file, &mut std::io::sink()).expect("read");
    }
}

/// Runs `phase` once in a child process: its seconds and peak memory (KB).
fn run_once(phase: &str, dir: &Path) -> (f64, u64) {
    warm(phase, dir);
    let exe = std::env::current_exe().expect("exe");
    let out = Command::new(&exe)
        .args(["--child", phase])
        .arg(dir)
        .output()
        .expect("child runs");
    assert!(
        out.status.success(),
        "{phase}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let secs = parts
        .next()
        .and_then(|t| t.parse::<f64>().ok())
        .expect("seconds");
    (secs, parts.next().and_then(|p| p.parse().ok()).unwrap_or(0))
}

/// The median seconds and the highest peak memory of each phase at each
/// size (in the order of `dirs`) over `runs` rounds. A round runs every
/// phase once at every size, so that a spell of a slower machine falls on
/// all phases and sizes alike, not on one of them: the ratios the targets
/// are about (to a baseline, and 1M to 100k) are taken within rounds.
fn measure_all(dirs: &[PathBuf], runs: usize) -> Vec<Vec<(f64, u64)>> {
    let mut times = vec![vec![Vec::new(); PHASES.len()]; dirs.len()];
    let mut peaks = vec![vec![0; PHASES.len()]; dirs.len()];
    for _ in 0..runs {
        for (d, dir) in dirs.iter().enumerate() {
            for (i, phase) in PHASES.iter().enumerate() {
                let (secs, peak) = run_once(phase, dir);
                times[d][i].push(secs);
                peaks[d][i] = peaks[d][i].max(peak);
            }
        }
    }
    times
        .into_iter()
        .zip(peaks)
        .map(|(times, peaks)| {
            times
                .into_iter()
                .zip(peaks)
                .map(|(mut t, peak)| {
                    t.sort_by(f64::total_cmp);
                    (t[t.len() / 2], peak)
                })
                .collect()
        })
        .collect()
}

fn dataset_dir(n: usize) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(n.to_string());
    if !dir.join("csv/datapackage.json").exists() {
        eprintln!("generating {n} pledges into {}", dir.display());
        let dataset = generate::dataset(n, 42);
        write_json_dir(&dataset, &dir, "../schema").expect("write json");
        write_csv_dir(&dataset, &dir.join("csv")).expect("write csv");
    }
    dir
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(&args[i + 1], Path::new(&args[i + 2]));
        return;
    }
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let sizes: Vec<usize> = value("--sizes")
        .unwrap_or_else(|| "10000,100000".to_owned())
        .split(',')
        .filter_map(|s| s.parse().ok())
        .collect();
    let runs: usize = value("--runs")
        .and_then(|r| r.parse().ok())
        .unwrap_or(3)
        .max(1);

    println!(
        "| pledges | phase | median s | pledges/s | MB/s | × baseline | peak MB | peak ÷ input |"
    );
    println!("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let dirs: Vec<PathBuf> = sizes.iter().map(|&n| dataset_dir(n)).collect();
    let measured = measure_all(&dirs, runs);
    for ((n, dir), measured) in sizes.into_iter().zip(&dirs).zip(measured) {
        let json_bytes = bytes_of(&files_with_ext(dir, "json"));
        let csv_bytes = bytes_of(&files_with_ext(&dir.join("csv"), "csv"));
        let mut baseline = [0.0f64; 2];
        for (phase, (secs, peak_kb)) in PHASES.into_iter().zip(measured) {
            let csv_side = matches!(phase, "csv-parse" | "validate-csv" | "csv-to-json");
            let input = if csv_side { csv_bytes } else { json_bytes };
            let base = if csv_side {
                &mut baseline[1]
            } else {
                &mut baseline[0]
            };
            if phase.ends_with("-parse") {
                *base = secs;
            }
            let mb = input as f64 / 1e6;
            println!(
                "| {n} | {phase} | {secs:.3} | {:.0} | {:.0} | {:.1} | {:.0} | {:.2} |",
                n as f64 / secs,
                mb / secs,
                secs / *base,
                peak_kb as f64 / 1024.0,
                peak_kb as f64 * 1024.0 / input as f64
            );
        }
        println!(
            "| {n} | input sizes | JSON {:.1} MB, CSV {:.1} MB | | | | | |",
            json_bytes as f64 / 1e6,
            csv_bytes as f64 / 1e6
        );
    }
}
