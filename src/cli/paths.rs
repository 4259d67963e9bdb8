//! The files a command is given: files as named, and folders searched
//! (recursively) for `*.decree` files, in one stable sorted order. Shared
//! by `decree check`, `decree test`, `decree fmt` and the language
//! server's workspace symbols.

use std::path::Path;

use decree::{Diagnostic, SourceFile};

use crate::terminal::{Failed, report};

/// Every file `paths` names: a file as given, a folder as the `*.decree`
/// files under it, sorted by path (folders and files whose names start
/// with `.` are skipped, as `.git` is). A folder holding no `.decree` file,
/// or a folder that cannot be read, is reported, and the command fails
/// once every path has been looked at.
pub(crate) fn decree_files(paths: &[String]) -> Result<Vec<String>, Failed> {
    let mut files = Vec::new();
    let mut failed = false;
    for p in paths {
        if !Path::new(p).is_dir() {
            files.push(p.clone());
            continue;
        }
        match decree_files_under(Path::new(p)) {
            Ok(found) if found.is_empty() => {
                report(&[no_decree_files(p)]);
                failed = true;
            }
            Ok(found) => files.extend(found),
            Err(e) => {
                report(&[Diagnostic::error(
                    decree::Code::Io,
                    format!("cannot read the folder `{p}`: {e}"),
                )
                .help("check the folder's name and permissions")]);
                failed = true;
            }
        }
    }
    if failed { Err(Failed) } else { Ok(files) }
}

/// The `*.decree` files under `dir`, sorted by path (what a folder names
/// for [`decree_files`], and a workspace's files for the language server).
pub(crate) fn decree_files_under(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut found = Vec::new();
    collect(dir, &mut found)?;
    found.sort();
    Ok(found)
}

/// The `*.decree` files under `dir`, in any order.
fn collect(dir: &Path, found: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        // The entry's own type: a link to a folder is not followed, so a
        // link back up cannot loop.
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_dir() {
            collect(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "decree") {
            found.push(path.to_string_lossy().into_owned());
        }
    }
    Ok(())
}

/// The diagnostic for a folder with nothing to work on, labelled on the
/// argument that named it.
fn no_decree_files(dir: &str) -> Diagnostic {
    let src = SourceFile::new("the command line", dir);
    Diagnostic::error(
        decree::Code::Io,
        format!("no `.decree` file in the folder `{dir}`"),
    )
    .label(decree::span::Span::new(0, dir.len()), "this folder")
    .help("name policy files, or a folder that holds `*.decree` files (its subfolders are searched too)")
    .in_source(&src)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn folders_are_searched_recursively_in_sorted_order_and_files_kept_as_named() {
        let dir = std::env::temp_dir().join(format!("decree-paths-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("b/.hidden")).unwrap();
        std::fs::create_dir_all(dir.join("a")).unwrap();
        for f in [
            "z.decree",
            "b/y.decree",
            "a/x.decree",
            "a/notes.txt",
            "b/.hidden/h.decree",
        ] {
            std::fs::write(dir.join(f), "").unwrap();
        }
        let d = dir.to_string_lossy().into_owned();
        let files = decree_files(&[d.clone(), "named.txt".into()]).unwrap_or_default();
        let rel: Vec<String> = files.iter().map(|f| f.replace(&d, "")).collect();
        assert_eq!(
            rel,
            ["/a/x.decree", "/b/y.decree", "/z.decree", "named.txt"]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
