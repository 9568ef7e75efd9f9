//! Replays every saved corpus file (`fuzz/corpus/TARGET/*`) through its fuzz
//! target on stable: what CI runs of the fuzzing (the coverage-guided runs
//! are `scripts/bench-fuzz.sh`, on nightly). A crash found by the fuzzer is
//! saved there and stays a regression test.

use std::path::Path;

#[test]
fn every_corpus_file_passes_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for (name, target) in videochat_fuzz::TARGETS {
        let dir = root.join(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("a readable directory entry").path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no corpus for {name}");
        for file in &files {
            let data = std::fs::read(file).expect("a readable corpus file");
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(outcome.is_ok(), "{name} crashed on {}", file.display());
        }
        println!("{name}: {} corpus files pass", files.len());
    }
}
