//! Sorting more records than memory should hold, so that checking a file takes the same memory
//! for a thousand rows or thirty million: fixed-size records are gathered in runs of bounded
//! length; a full run is sorted and written to an unnamed temporary file, and the runs are read
//! back merged, in order.
//!
//! The temporary files are unlinked when created (`tempfile::tempfile`): no name to find them by,
//! and the system reclaims them when the process ends, however it ends. What they hold are keyed
//! digests of a file's keys and hashes of its rows, never a cell.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};

/// Records per run of the file-wide rules: 32 MiB of 32-byte records.
pub const RUN_RECORDS: usize = 1 << 20;

/// Records gathered in memory up to a run's length, then sorted and written out.
pub struct Spill<const N: usize> {
    run: Vec<[u8; N]>,
    run_records: usize,
    /// Each written run and how many records it holds.
    runs: Vec<(File, usize)>,
}

impl<const N: usize> Spill<N> {
    /// A sorter that keeps at most `run_records` records in memory while gathering.
    pub fn new(run_records: usize) -> Self {
        Spill { run: Vec::new(), run_records: run_records.max(1), runs: Vec::new() }
    }

    /// Adds a record; a full run goes to disk.
    pub fn push(&mut self, record: [u8; N]) {
        self.run.push(record);
        if self.run.len() >= self.run_records {
            self.spill();
        }
    }

    /// How many runs went to disk (the last one is merged from memory).
    pub fn spilled_runs(&self) -> usize {
        self.runs.len()
    }

    fn spill(&mut self) {
        self.run.sort_unstable();
        match write_run(&self.run) {
            Ok(file) => {
                self.runs.push((file, self.run.len()));
                self.run.clear();
            }
            Err(e) => {
                // No room on disk: the check goes on in memory rather than failing the file.
                tracing::warn!(error = %e, records = self.run.len(), "spill: keeping the run in memory");
                self.run_records = self.run_records.saturating_mul(2);
            }
        }
    }

    /// Every record pushed, in ascending byte order. An item is an error only when a written run
    /// cannot be read back; the iteration ends after it.
    pub fn sorted(mut self) -> Sorted<N> {
        self.run.sort_unstable();
        let mut sources: Vec<Source<N>> = Vec::with_capacity(self.runs.len() + 1);
        sources.push(Source::Memory(std::mem::take(&mut self.run).into_iter()));
        for (file, records) in self.runs {
            sources.push(Source::Disk(BufReader::with_capacity(64 * 1024, file), records));
        }
        let mut sorted = Sorted { sources, heap: BinaryHeap::new(), failed: None };
        for i in 0..sorted.sources.len() {
            sorted.refill(i);
        }
        sorted
    }
}

fn write_run<const N: usize>(run: &[[u8; N]]) -> io::Result<File> {
    let mut out = BufWriter::with_capacity(1 << 20, tempfile::tempfile()?);
    for record in run {
        out.write_all(record)?;
    }
    let mut file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
    file.rewind()?;
    Ok(file)
}

enum Source<const N: usize> {
    Memory(std::vec::IntoIter<[u8; N]>),
    /// A run on disk and the records left in it.
    Disk(BufReader<File>, usize),
}

/// The merge of every run: the smallest record of each run on a heap.
pub struct Sorted<const N: usize> {
    sources: Vec<Source<N>>,
    heap: BinaryHeap<Reverse<([u8; N], usize)>>,
    failed: Option<io::Error>,
}

impl<const N: usize> Sorted<N> {
    /// Puts the next record of source `i` on the heap.
    fn refill(&mut self, i: usize) {
        let next = match &mut self.sources[i] {
            Source::Memory(it) => it.next(),
            Source::Disk(_, 0) => None,
            Source::Disk(reader, left) => {
                let mut record = [0u8; N];
                match reader.read_exact(&mut record) {
                    Ok(()) => {
                        *left -= 1;
                        Some(record)
                    }
                    Err(e) => {
                        self.failed.get_or_insert(e);
                        None
                    }
                }
            }
        };
        if let Some(record) = next {
            self.heap.push(Reverse((record, i)));
        }
    }
}

impl<const N: usize> Iterator for Sorted<N> {
    type Item = io::Result<[u8; N]>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.failed.take() {
            self.heap.clear();
            self.sources.clear();
            return Some(Err(e));
        }
        let Reverse((record, i)) = self.heap.pop()?;
        self.refill(i);
        Some(Ok(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(n: u32) -> Vec<[u8; 8]> {
        // A fixed permutation with repeats: the order of pushing is not the order of the keys.
        (0..n)
            .map(|i| {
                let k = (i.wrapping_mul(2_654_435_761) % (n / 2 + 1)).to_be_bytes();
                let r = i.to_be_bytes();
                [k[0], k[1], k[2], k[3], r[0], r[1], r[2], r[3]]
            })
            .collect()
    }

    #[test]
    fn runs_written_to_disk_merge_into_the_same_order_as_one_sort_in_memory() {
        let input = records(10_007);
        let mut spill = Spill::<8>::new(1_000);
        for r in &input {
            spill.push(*r);
        }
        assert_eq!(spill.spilled_runs(), 10);
        let merged: Vec<[u8; 8]> = spill.sorted().map(|r| r.expect("runs read back")).collect();
        let mut expected = input;
        expected.sort_unstable();
        assert_eq!(merged, expected);
    }

    #[test]
    fn a_sorter_that_never_fills_a_run_writes_nothing_and_sorts_in_memory() {
        let input = records(999);
        let mut spill = Spill::<8>::new(1_000);
        for r in &input {
            spill.push(*r);
        }
        assert_eq!(spill.spilled_runs(), 0);
        assert_eq!(spill.sorted().count(), 999);
        assert_eq!(Spill::<8>::new(4).sorted().count(), 0);
    }
}
