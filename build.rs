//! The migrations are embedded in the binary (`embed_migrations!` in src/db.rs): a new or
//! changed migration must rebuild it even when no Rust source changed.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
