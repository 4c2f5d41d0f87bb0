//! fw-graph (in progress)
