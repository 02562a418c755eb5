//! The backends list's pure helpers (`src/listing.rs`).

use secret_backends_console_core::listing::count;

#[test]
fn count_takes_the_singular_for_one_only() {
    assert_eq!(count(1, "secret", "secrets"), "1 secret");
    assert_eq!(count(0, "secret", "secrets"), "0 secrets");
    assert_eq!(count(2, "secret", "secrets"), "2 secrets");
    assert_eq!(count(1, "model", "models"), "1 model");
    assert_eq!(count(11, "backend", "backends"), "11 backends");
}
