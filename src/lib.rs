//! decree: policy measures as code, evaluated exactly and explained.
pub mod ast;
pub mod diagnostic;
pub mod span;
pub mod syntax;
pub mod value;
/// debug
pub fn debug_parse(text: &str) -> String { let s = span::SourceFile::new("t", text); match syntax::parse(&s, &Limits::default()) { Ok(p) => format!("{p:#?}"), Err(e) => e.render(diagnostic::RenderStyle::Plain) } }

/// Resource limits applied while reading and evaluating untrusted input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest source file accepted, in bytes.
    pub max_source_bytes: usize,
    /// Deepest nesting of brackets and expressions.
    pub max_depth: usize,
    /// Most rows in one tier table or schedule.
    pub max_table_rows: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_source_bytes: 4 * 1024 * 1024,
            max_depth: 64,
            max_table_rows: 1000,
        }
    }
}
