//! The fuzz targets' logic, in one module that the root crate's stable test
//! `tests/fuzz_corpus.rs` includes too (`#[path]`), so every saved input is
//! replayed by `cargo test` without nightly or libFuzzer.

pub mod harness;
