#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    decree_fuzz::harness::reparse(data);
});
