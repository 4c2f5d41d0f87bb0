//! Output formats. Text formats (DOT, Mermaid, JSONL) work from the [`Graph`](crate::graph::Graph);
//! drawings (SVG, PNG) from its [`Layout`](crate::layout::Layout).

pub mod dot;
mod draw;
pub mod jsonl;
pub mod mermaid;
pub mod palette;
pub mod png;
pub mod svg;
