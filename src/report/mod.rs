//! Rendering results: for people ([`tables`]: tables, explanation trees,
//! the fiscal summary) and for programs ([`json`]: the stable JSON of
//! `docs/JSON.md` and the JSON Lines of population runs). The only module
//! that writes JSON or tables.

pub mod json;
pub mod rows;
pub mod tables;

pub use json::to_json;
pub use tables::{
    explain, remarks, shown_value, summary_table, summary_table_styled, to_table, to_table_styled,
};
