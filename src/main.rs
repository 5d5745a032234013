//! The `snapsim` binary: everything happens in [`snapsim::cli`].

fn main() {
    std::process::exit(snapsim::cli::main_with_args());
}
