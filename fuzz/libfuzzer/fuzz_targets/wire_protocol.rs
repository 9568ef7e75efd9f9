#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| videochat_fuzz::wire_protocol(data));
