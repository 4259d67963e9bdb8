//! Rebuilds the binary when the studio's bundle changes: `decree serve`
//! embeds the files of `web/dist/` (`include_dir!`, which does not tell
//! cargo what it read), so without this a cached build would keep serving
//! an old bundle.
fn main() {
    println!("cargo:rerun-if-changed=web/dist");
}
