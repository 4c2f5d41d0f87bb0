//! The `octobox` Debian package: this crate holds no code, only the cargo-deb metadata of
//! `Cargo.toml` (`[package.metadata.deb]`). `make deb` (scripts/package.sh) stages a
//! `make install` into `packaging/stage/` and runs `cargo deb --no-build` on this package.
