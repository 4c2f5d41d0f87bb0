//! octo-sim (in progress)
