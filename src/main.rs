//! The `folio` binary: all the work is in the library.

fn main() -> std::process::ExitCode {
    folio::cli::main()
}
