//! scan-export against every hostile knob of octo-sim (issue 15 item 2): a folder export and an
//! export to stdout fail naming the endpoint without writing the day's manifest (and the run
//! after the knob is turned off exports the day exactly), or give exactly the records of a clean
//! run. The runner is [`octo_testkit::hostile::export_against`]; one simulator per knob.

use octo_testkit::hostile::{Knob, export_against};

octo_testkit::hostile_knob_tests!(|knob: Knob| export_against(
    "scan-export",
    "scans",
    "GET /v1/scans",
    knob
));
