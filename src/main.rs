//! The `vetis` binary: everything lives in the library; this only hands over the exit code.

/// mimalloc rather than the system allocator: an import allocates and frees a few small values
/// per cell, on two threads, and glibc's malloc took a third of the checking time (perf, 1M rows).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    vetis::cli::run()
}
