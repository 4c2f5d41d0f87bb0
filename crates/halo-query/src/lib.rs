//! halo-query (in progress)
