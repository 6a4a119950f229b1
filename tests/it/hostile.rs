//! Hostile files through the real importer: random mutations of a valid CSV and XLSX (truncated,
//! bytes flipped or inserted, lines repeated) and crafted ones (a cell at XFD1048576, a zip bomb,
//! a 30,000-character cell (Excel's most is 32,767), 16,384 columns, formula cells, deeply nested XML, invalid encodings).
//! Every one ends in an answer, never a panic or an abort, within bounded memory, and every
//! refusal names the file. `VETIS_FUZZ_CASES` runs more random cases, `VETIS_FUZZ_SEED` repeats a
//! run.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::*;

fn fixture_students() -> Vec<u8> {
    std::fs::read(fixture_dir().join("student.csv")).unwrap()
}

/// The fixture's students as a workbook, with a sheet named after the table.
fn students_xlsx(edit: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name("student").unwrap();
    let text = String::from_utf8(fixture_students()).unwrap();
    for (r, line) in text.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            sheet.write_string(r as u32, c as u16, cell.trim_start_matches('\u{feff}')).unwrap();
        }
    }
    edit(sheet);
    wb.save_to_buffer().unwrap()
}

/// Rewrites one part of a workbook (the zip entry `name`), keeping the rest.
fn replace_part(xlsx: &[u8], name: &str, content: &[u8]) -> Vec<u8> {
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let entry = f.name().unwrap().to_string();
        out.start_file(entry.clone(), opts).unwrap();
        if entry == name {
            out.write_all(content).unwrap();
        } else {
            std::io::copy(&mut f, &mut out).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

fn mutate(rng: &mut Rng, base: &[u8]) -> Vec<u8> {
    let mut b = base.to_vec();
    for _ in 0..1 + rng.below(4) {
        match rng.below(6) {
            0 => b.truncate(rng.below(b.len())),
            1 => {
                for _ in 0..1 + rng.below(16) {
                    let i = rng.below(b.len());
                    if let Some(x) = b.get_mut(i) {
                        *x = rng.next() as u8;
                    }
                }
            }
            2 => {
                let i = rng.below(b.len());
                let junk: &[u8] =
                    [&b"\xff\xfe\x80"[..], b"\"", b",,,,", b"\n\n", b"=HYPERLINK(\"x\")", b"\0"][rng.below(6)];
                b.splice(i..i, junk.iter().copied());
            }
            3 => {
                // A line repeated many times.
                let text = b.clone();
                let lines: Vec<&[u8]> = text.split(|c| *c == b'\n').collect();
                let line = lines[rng.below(lines.len())];
                for _ in 0..rng.below(2_000) {
                    b.extend_from_slice(line);
                    b.push(b'\n');
                }
            }
            4 => {
                let i = rng.below(b.len());
                b.splice(i..i, std::iter::repeat_n(b'9', rng.below(20_000)));
            }
            _ => {
                let i = rng.below(b.len());
                b.drain(i..(i + rng.below(64)).min(b.len()));
            }
        }
    }
    b
}

/// The crafted cases: (file name, bytes, a word the refusal must contain).
pub fn crafted() -> Vec<(String, Vec<u8>, &'static str)> {
    let mut out: Vec<(String, Vec<u8>, &'static str)> = Vec::new();
    let far = students_xlsx(|s| {
        s.write_string(1_048_575, 16_383, "x").unwrap();
    });
    out.push(("far-cell.xlsx".into(), far, "XFD1048576"));
    // 300 MB of whitespace inside the sheet: it deflates to a few hundred KB.
    let base = students_xlsx(|_| {});
    let mut xml = b"<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>".to_vec();
    xml.extend(std::iter::repeat_n(b' ', 300 << 20));
    xml.extend_from_slice(b"</sheetData></worksheet>");
    out.push(("bomb.xlsx".into(), replace_part(&base, "xl/worksheets/sheet1.xml", &xml), "解压后过大"));
    let long = students_xlsx(|s| {
        s.write_string(3, 3, "长".repeat(30_000)).unwrap();
    });
    out.push(("long-cell.xlsx".into(), long, "超过上限 2000"));
    let wide = students_xlsx(|s| {
        for c in 17..16_384u16 {
            s.write_string(0, c, format!("c{c}")).unwrap();
        }
    });
    out.push(("wide.xlsx".into(), wide, "列数超过上限"));
    let formulas = students_xlsx(|s| {
        s.write_formula(2, 2, "=1+1").unwrap();
        s.write_formula(3, 0, "=HYPERLINK(\"http://x\",\"y\")").unwrap();
    });
    out.push(("formulas.xlsx".into(), formulas, ""));
    let mut nested = b"<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>".to_vec();
    nested.extend(std::iter::repeat_n(&b"<x>"[..], 200_000).flatten());
    nested.extend(std::iter::repeat_n(&b"</x>"[..], 200_000).flatten());
    nested.extend_from_slice(b"</sheetData></worksheet>");
    out.push(("nested.xlsx".into(), replace_part(&base, "xl/worksheets/sheet1.xml", &nested), ""));
    out.push(("truncated.xlsx".into(), base[..base.len() / 2].to_vec(), "无法读取文件"));
    let mut csv = fixture_students();
    let header_end = csv.iter().position(|b| *b == b'\n').unwrap();
    csv.splice(header_end..header_end, std::iter::repeat_n(b',', 1_000_000));
    out.push(("million-columns.csv".into(), csv, "列数超过上限"));
    let mut csv = fixture_students();
    let at = csv.iter().rposition(|b| *b == b',').unwrap() + 1;
    csv.splice(at..at, std::iter::repeat_n(b'x', 50 << 20));
    out.push(("fifty-mb-cell.csv".into(), csv, "超过上限 2000"));
    out.push(("not-text.csv".into(), vec![0x61, 0xff, 0xfe, 0x80, 0x0a, 0x81], "编码无法识别"));
    out.push(("empty.csv".into(), Vec::new(), "文件为空"));
    out.push(("bom-only.csv".into(), b"\xEF\xBB\xBF".to_vec(), "文件为空"));
    out
}

/// Runs `vetis import --dry-run` on one file; its exit code, stderr and peak memory (KiB).
fn import(db: &TestDb, path: &Path) -> (Option<i32>, String, u64) {
    let mut child = db
        .command()
        .args(["import", "--dry-run", "--table", "student", path.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut stderr_pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stderr_pipe, &mut s).unwrap();
        s
    });
    let started = Instant::now();
    let mut peak = 0u64;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_file)
            && let Some(line) = text.lines().find(|l| l.starts_with("VmHWM:"))
        {
            peak = peak.max(line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0));
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "{}: no answer in two minutes", path.display());
        std::thread::sleep(Duration::from_millis(5));
    };
    (status.code(), reader.join().unwrap(), peak)
}

#[test]
fn hostile_csv_and_xlsx_files_get_a_clear_answer_never_a_crash() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    let dir = tempfile::tempdir().unwrap();
    let seed = std::env::var("VETIS_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    }) | 1;
    let cases: usize = std::env::var("VETIS_FUZZ_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(60);
    println!("VETIS_FUZZ_SEED={seed} VETIS_FUZZ_CASES={cases}");
    let mut rng = Rng(seed);
    let mut files: Vec<(PathBuf, &'static str)> = Vec::new();
    for (name, bytes, expect) in crafted() {
        let p = dir.path().join(&name);
        std::fs::write(&p, bytes).unwrap();
        files.push((p, expect));
    }
    let csv = fixture_students();
    let xlsx = students_xlsx(|_| {});
    for i in 0..cases {
        let (base, ext) = if i % 2 == 0 { (&csv, "csv") } else { (&xlsx, "xlsx") };
        let p = dir.path().join(format!("mutant-{i}.{ext}"));
        std::fs::write(&p, mutate(&mut rng, base)).unwrap();
        files.push((p, ""));
    }
    let mut worst = (0u64, String::new());
    for (path, expect) in &files {
        let (code, err, peak) = import(&db, path);
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(matches!(code, Some(0 | 1)), "{name} (seed {seed}): exit {code:?}, not an answer:\n{err}");
        assert!(!err.contains("panicked"), "{name} (seed {seed}):\n{err}");
        if code == Some(1) {
            assert!(err.contains(name), "{name}: the refusal names the file:\n{err}");
        }
        assert!(err.contains(expect), "{name}: expected “{expect}” in:\n{err}");
        assert!(err.lines().all(|l| l.chars().count() < 2_000), "{name}: an error line echoes too much");
        if peak > worst.0 {
            worst = (peak, name.to_string());
        }
    }
    println!("{} files, peak memory of one import {} MiB ({})", files.len(), worst.0 / 1024, worst.1);
    assert!(worst.0 < 1024 * 1024, "an import of {} took {} MiB", worst.1, worst.0 / 1024);
    assert_eq!(db.state(), {
        let fresh = TestDb::new(Backend::Sqlite);
        fresh.load_fixture();
        fresh.state()
    });
}
