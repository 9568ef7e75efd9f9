//! The UniFFI binding generator, pinned to the uniffi version this crate uses.
fn main() {
    uniffi::uniffi_bindgen_main()
}
