//! The targets, by parser family. Each module's items come in pairs: a generator (`gen_*`, random
//! bytes → input) and a property (`check_*`, panics when it does not hold).
pub mod clouds;
pub mod config;
pub mod ec2;
pub mod ip;
pub mod pages;
pub mod policy;
pub mod records;
pub mod slack;
pub mod time;
