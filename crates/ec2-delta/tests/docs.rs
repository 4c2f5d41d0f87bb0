//! The committed man pages (one per subcommand) and completions in bin-docs/ match the clap
//! definitions (`make docs`), reference no missing page, and every subcommand's `--help` ends
//! with examples that parse.

octo_testkit::docs_tests!(ec2_delta::command(), "ec2-delta");
