#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    decree_fuzz::harness::plan_vs_interpreter(data);
});
