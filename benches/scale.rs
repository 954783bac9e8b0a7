//! Scale benchmark: validation and conversion against parse-only baselines,
//! on synthetic datasets of 10k, 100k and 1M pledges, in one run.
//!
//! ```sh
//! cargo bench --bench scale                          # 10k and 100k
//! cargo bench --bench scale -- --sizes 10000,100000,1000000 --runs 3
//! cargo bench --bench scale -- --hostile-only          # the worst cases alone
//! cargo bench --bench scale --features export,site     # and the readers' forms
//! ```
//!
//! With the `export` and `site` features it also times, on the 100k
//! dataset, what readers get: the SQLite database, the Excel workbook and
//! the static site (without an archive: the synthetic sources have none).
//!
//! Beside the valid datasets it times worst cases a hostile pull request
//! could send (see [`HOSTILE`]), each a JSON dataset of 100k pledges with
//! one file made bad, and reports their cost per MB beside a valid file's.
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

/// The allocator the `pledges` binary uses, so that the phases cost what
/// the command does.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const PHASES: [&str; 6] = [
    "json-parse",
    "csv-parse",
    "validate-json",
    "validate-csv",
    "json-to-csv",
    "csv-to-json",
];

/// The readers' forms, timed on the 100k dataset when their features are on.
const READERS: &[&str] = &[
    #[cfg(feature = "export")]
    "export-sqlite",
    #[cfg(feature = "export")]
    "export-xlsx",
    #[cfg(feature = "site")]
    "site",
];

/// The worst-case inputs: each is the 100k dataset with `pledges.json` (or
/// `csv/pledges.csv`) replaced by a bad one of about the same size, and the
/// phase validates it (and must find it invalid).
const HOSTILE: [(&str, &str); 13] = [
    (
        "one-error",
        "one pledge with a status not in the code list (not hostile: the cost of any error)",
    ),
    ("many-keys", "one pledge with a million unknown keys"),
    (
        "duplicate-keys",
        "one pledge with its title repeated a million times",
    ),
    (
        "unknown-refs",
        "every pledger and evidence source a near miss of a known id",
    ),
    (
        "long-values",
        "one pledge with a title and an id each half as long as the valid file",
    ),
    ("deep", "one value nested a million arrays deep"),
    (
        "empty-records",
        "a pledges.json of a million empty records: twelve missing fields each",
    ),
    (
        "unknown-keys-records",
        "a pledges.json of a thousand records of a thousand unknown keys each",
    ),
    (
        "bad-records",
        "every pledge with a bad date and a bidirectional control",
    ),
    (
        "csv-wide-header",
        "a pledges.csv header of a million columns",
    ),
    (
        "csv-junk-header",
        "a pledges.csv header of a million columns, none of them the table's",
    ),
    (
        "csv-one-error",
        "one pledges.csv row with a status not in the code list (the cost of any error)",
    ),
    (
        "csv-bad-rows",
        "every pledges.csv row with a bad date and a bidirectional control",
    ),
];

/// Where a hostile case's data is read from: its own directory, or the
/// `csv/` inside it for the CSV cases.
fn hostile_input(dir: &Path, case: &str) -> PathBuf {
    if case.starts_with("csv-") {
        dir.join("csv")
    } else {
        dir.to_path_buf()
    }
}

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

/// Loads and validates the dataset in `dir` and hands it to `write`; as
/// `pledges` does, the dataset is left to the process's exit rather than
/// freed record by record.
#[cfg_attr(not(any(feature = "export", feature = "site")), allow(dead_code))]
fn loaded(dir: &Path, write: impl FnOnce(&Dataset)) {
    let dataset = Dataset::load(dir).expect("valid");
    write(&dataset);
    std::mem::forget(dataset);
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
        #[cfg(feature = "export")]
        "export-sqlite" => loaded(dir, |d| {
            ukraine_pledges::export::sqlite::write(d, &out.path().join("pledges.sqlite"))
                .expect("export");
        }),
        #[cfg(feature = "export")]
        "export-xlsx" => loaded(dir, |d| {
            ukraine_pledges::export::xlsx::write(d, &out.path().join("pledges.xlsx"))
                .expect("export");
        }),
        #[cfg(feature = "site")]
        "site" => loaded(dir, |d| {
            ukraine_pledges::site::build(d, None, &out.path().join("site")).expect("site");
        }),
        hostile if hostile.starts_with("hostile-") => {
            let case = &hostile["hostile-".len()..];
            let report =
                validate_dir(&hostile_input(dir, case), &Options::default()).expect("runs");
            assert!(!report.is_valid(false), "{case}: found valid");
        }
        other => panic!("unknown phase {other}"),
    }
    println!("{} {}", start.elapsed().as_secs_f64(), peak_rss_kb());
}

/// Reads the files `phase` reads, untimed, so that the phase finds them in
/// the page cache: a machine that pages out files it thinks cold (as this
/// one's memory manager does) would otherwise time its disk now and then.
fn warm(phase: &str, dir: &Path) {
    let reads_csv =
        phase.starts_with("csv") || phase == "validate-csv" || phase.starts_with("hostile-csv-");
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

/// The median seconds and the highest peak memory of each job (a phase
/// and the directory it reads) over `runs` rounds. A round runs every job
/// once, so that a spell of a slower machine falls on all phases and
/// sizes alike, not on one of them: the ratios the targets are about (to a
/// baseline, and 1M to 100k) are taken within rounds.
fn measure_all(jobs: &[(String, PathBuf)], runs: usize) -> Vec<(f64, u64)> {
    let mut times = vec![Vec::new(); jobs.len()];
    let mut peaks = vec![0; jobs.len()];
    for _ in 0..runs {
        for (j, (phase, dir)) in jobs.iter().enumerate() {
            let (secs, peak) = run_once(phase, dir);
            times[j].push(secs);
            peaks[j] = peaks[j].max(peak);
        }
    }
    times
        .into_iter()
        .zip(peaks)
        .map(|(mut t, peak)| {
            t.sort_by(f64::total_cmp);
            (t[t.len() / 2], peak)
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

/// Writes the worst case `case` under `target/bench-data/hostile/`, from
/// the valid dataset in `base`, once.
fn hostile_dir(base: &Path, case: &str) -> PathBuf {
    let dir = base
        .parent()
        .expect("bench-data")
        .join("hostile")
        .join(case);
    let done = dir.join(".complete");
    if done.exists() {
        return dir;
    }
    eprintln!("writing the worst case {case} into {}", dir.display());
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("csv")).expect("hostile dir");
    for f in files_with_ext(base, "json") {
        std::fs::copy(&f, dir.join(f.file_name().expect("name"))).expect("copy");
    }
    let csv = base.join("csv");
    for f in [files_with_ext(&csv, "csv"), files_with_ext(&csv, "json")].concat() {
        std::fs::copy(&f, dir.join("csv").join(f.file_name().expect("name"))).expect("copy");
    }
    let pledges_json = std::fs::read(base.join("pledges.json")).expect("pledges.json");
    let size = pledges_json.len();
    // The first pledge object of the file, whose opening brace is kept and
    // whose members follow what is inserted.
    let first = pledges_json
        .windows(2)
        .position(|w| w == b"{\n" || w == b"{ ")
        .and_then(|top| {
            pledges_json[top + 1..]
                .iter()
                .position(|&b| b == b'{')
                .map(|p| top + 1 + p + 1)
        })
        .expect("a pledge object");
    let splice = |insert: &[u8]| {
        let mut out = Vec::with_capacity(size + insert.len());
        out.extend_from_slice(&pledges_json[..first]);
        out.extend_from_slice(insert);
        out.extend_from_slice(&pledges_json[first..]);
        std::fs::write(dir.join("pledges.json"), out).expect("write");
    };
    // A pledges.json of nothing but `items`.
    let records = |items: &[&str]| {
        let text = format!(
            "{{\"$schema\": \"../schema/pledges.schema.json\", \"pledges\": [{}]}}",
            items.join(",")
        );
        std::fs::write(dir.join("pledges.json"), text).expect("write");
    };
    let pledges_csv = std::fs::read_to_string(csv.join("pledges.csv")).expect("pledges.csv");
    match case {
        "one-error" => {
            let text = String::from_utf8(pledges_json.clone()).expect("UTF-8");
            let at = text.find("\"status\": \"").expect("a status") + "\"status\": \"".len();
            let text = format!("{}bogus{}", &text[..at], &text[at..]);
            std::fs::write(dir.join("pledges.json"), text).expect("write");
        }
        "many-keys" => {
            let mut insert = String::new();
            for k in 0..1_000_000 {
                insert.push_str(&format!("\"x{k:07}\": 0, "));
            }
            splice(insert.as_bytes());
        }
        "duplicate-keys" => splice("\"title\": \"t\", ".repeat(1_000_000).as_bytes()),
        "long-values" => {
            let half = "a".repeat(size / 2);
            splice(format!("\"title\": \"{half}\", \"id\": \"{half}\", ").as_bytes());
        }
        "empty-records" => records(&vec!["{}"; 1_000_000]),
        "unknown-keys-records" => {
            let keys: Vec<String> = (0..1000).map(|k| format!("\"a{k}\": 1")).collect();
            let record = format!("{{{}}}", keys.join(","));
            records(&vec![record.as_str(); 1000]);
        }
        "deep" => {
            let depth = 1_000_000;
            splice(format!("\"notes\": {}{}, ", "[".repeat(depth), "]".repeat(depth)).as_bytes());
        }
        "unknown-refs" => {
            let mut value: serde_json::Value =
                serde_json::from_slice(&pledges_json).expect("pledges.json");
            let near = |v: &mut serde_json::Value| {
                if let Some(id) = v.as_str() {
                    *v = serde_json::Value::String(format!("{id}x"));
                }
            };
            for pledge in value["pledges"].as_array_mut().expect("pledges") {
                for pledger in pledge["pledgers"].as_array_mut().expect("pledgers") {
                    near(pledger);
                }
                for evidence in pledge["evidence"].as_array_mut().expect("evidence") {
                    near(&mut evidence["source"]);
                }
            }
            let bytes = serde_json::to_vec_pretty(&value).expect("json");
            std::fs::write(dir.join("pledges.json"), bytes).expect("write");
        }
        "bad-records" => {
            let mut value: serde_json::Value =
                serde_json::from_slice(&pledges_json).expect("pledges.json");
            for pledge in value["pledges"].as_array_mut().expect("pledges") {
                pledge["announced"] = serde_json::Value::from("2025-13-45");
                let title = pledge["title"].as_str().expect("title");
                pledge["title"] = serde_json::Value::from(format!("{title} \u{202e}"));
            }
            let bytes = serde_json::to_vec_pretty(&value).expect("json");
            std::fs::write(dir.join("pledges.json"), bytes).expect("write");
        }
        "csv-wide-header" => {
            let (header, rest) = pledges_csv.split_once('\n').expect("header");
            let mut wide = String::from(header);
            for k in 0..1_000_000 {
                wide.push_str(&format!(",x{k:07}"));
            }
            std::fs::write(dir.join("csv/pledges.csv"), format!("{wide}\n{rest}")).expect("write");
        }
        "csv-junk-header" => {
            let (_, rest) = pledges_csv.split_once('\n').expect("header");
            let junk: Vec<String> = (0..1_000_000).map(|k| format!("x{k:07}")).collect();
            let text = format!("{}\n{rest}", junk.join(","));
            std::fs::write(dir.join("csv/pledges.csv"), text).expect("write");
        }
        "csv-one-error" => {
            let at = pledges_csv.find(",committed,").expect("a committed status");
            let text = format!(
                "{},bogus,{}",
                &pledges_csv[..at],
                &pledges_csv[at + ",committed,".len()..]
            );
            std::fs::write(dir.join("csv/pledges.csv"), text).expect("write");
        }
        "csv-bad-rows" => {
            let mut reader = csv::Reader::from_reader(pledges_csv.as_bytes());
            let headers = reader.headers().expect("header").clone();
            let column = |name: &str| headers.iter().position(|h| h == name);
            let announced = column("announced").expect("an announced column");
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.write_record(&headers).expect("header");
            for row in reader.records() {
                let mut row: Vec<String> = row.expect("row").iter().map(str::to_owned).collect();
                row[announced] = "2025-13-45".to_owned();
                if let Some(title) = column("title") {
                    row[title].push_str(" \u{202e}");
                }
                writer.write_record(&row).expect("row");
            }
            let bytes = writer.into_inner().expect("csv");
            std::fs::write(dir.join("csv/pledges.csv"), bytes).expect("write");
        }
        other => panic!("unknown worst case {other}"),
    }
    std::fs::write(&done, "").expect("marker");
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

    let hostile_only = args.iter().any(|a| a == "--hostile-only");
    let hostile_base = dataset_dir(100_000);
    let hostile: Vec<(&str, PathBuf)> = HOSTILE
        .iter()
        .map(|&(case, _)| (case, hostile_dir(&hostile_base, case)))
        .collect();
    // The valid datasets' phases; the 100k one is always among them, as
    // what the worst cases are compared with.
    let mut reference = if hostile_only { Vec::new() } else { sizes };
    if !reference.contains(&100_000) {
        reference.push(100_000);
    }
    let reference_dirs: Vec<PathBuf> = reference.iter().map(|&n| dataset_dir(n)).collect();
    let mut jobs: Vec<(String, PathBuf)> = Vec::new();
    for dir in &reference_dirs {
        for phase in PHASES {
            jobs.push((phase.to_owned(), dir.clone()));
        }
    }
    for (case, dir) in &hostile {
        jobs.push((format!("hostile-{case}"), dir.clone()));
    }
    let readers = if hostile_only { &[][..] } else { READERS };
    for phase in readers {
        jobs.push(((*phase).to_owned(), hostile_base.clone()));
    }
    let measured = measure_all(&jobs, runs);
    let (valid, rest) = measured.split_at(reference_dirs.len() * PHASES.len());
    let (worst, read) = rest.split_at(HOSTILE.len());

    println!(
        "| pledges | phase | median s | pledges/s | MB/s | × baseline | peak MB | peak ÷ input |"
    );
    println!("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut valid_mb_per_s = [0.0f64; 2];
    for ((n, dir), measured) in reference
        .into_iter()
        .zip(&reference_dirs)
        .zip(valid.chunks(PHASES.len()))
    {
        let json_bytes = bytes_of(&files_with_ext(dir, "json"));
        let csv_bytes = bytes_of(&files_with_ext(&dir.join("csv"), "csv"));
        let mut baseline = [0.0f64; 2];
        for (phase, &(secs, peak_kb)) in PHASES.into_iter().zip(measured) {
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
            if n == 100_000 && phase == "validate-json" {
                valid_mb_per_s[0] = mb / secs;
            }
            if n == 100_000 && phase == "validate-csv" {
                valid_mb_per_s[1] = mb / secs;
            }
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
    println!();
    println!(
        "| worst case (100k pledges, one file bad) | input MB | median s | MB/s | s per MB ÷ valid | peak MB | peak ÷ input |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for ((&(case, what), (_, dir)), &(secs, peak_kb)) in HOSTILE.iter().zip(&hostile).zip(worst) {
        let csv_side = case.starts_with("csv-");
        let input = hostile_input(dir, case);
        let bytes = bytes_of(&files_with_ext(
            &input,
            if csv_side { "csv" } else { "json" },
        ));
        let mb = bytes as f64 / 1e6;
        let valid = valid_mb_per_s[usize::from(csv_side)];
        println!(
            "| `{case}`: {what} | {mb:.1} | {secs:.3} | {:.0} | {:.2} | {:.0} | {:.2} |",
            mb / secs,
            valid / (mb / secs),
            peak_kb as f64 / 1024.0,
            peak_kb as f64 * 1024.0 / bytes as f64
        );
    }
    if readers.is_empty() {
        return;
    }
    let json_bytes = bytes_of(&files_with_ext(&hostile_base, "json"));
    println!();
    println!(
        "| readers' form (100k pledges) | median s | MB of JSON read per s | × validate-json | peak MB | peak ÷ input |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    let validate = json_bytes as f64 / 1e6 / valid_mb_per_s[0];
    for (phase, &(secs, peak_kb)) in readers.iter().zip(read) {
        println!(
            "| `{phase}` | {secs:.3} | {:.0} | {:.1} | {:.0} | {:.2} |",
            json_bytes as f64 / 1e6 / secs,
            secs / validate,
            peak_kb as f64 / 1024.0,
            peak_kb as f64 * 1024.0 / json_bytes as f64
        );
    }
}
