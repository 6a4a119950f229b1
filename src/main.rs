//! The `vetis` binary: everything lives in the library; this only hands over the exit code.

fn main() -> std::process::ExitCode {
    vetis::cli::run()
}
