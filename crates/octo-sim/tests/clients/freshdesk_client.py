"""python-freshdesk (v2 API) against octo-sim.

Usage: python freshdesk.py SIM_URL
Prints one `ok <call> <result>` line per call; any failure raises (non-zero exit).

python-freshdesk only accepts https://<x>.freshdesk.com; the one shim points its URL prefix at
the simulator after construction.
"""
import sys

from freshdesk.v2.api import API
from freshdesk.v2.errors import FreshdeskUnauthorized

URL = sys.argv[1]
KEY = "sim-freshdesk-key-0000"


def ok(call, result):
    print("ok", call, result, flush=True)


def client(key):
    api = API("octo-sim.freshdesk.com", key)
    api._api_prefix = URL + "/api/v2/"
    return api


fd = client(KEY)
t = fd.tickets.create_outbound_email(
    subject="Security incident for instance web01",
    description="<p>Dear user, your instance was locked.</p>",
    email="alice.nguyen@uni.example.edu",
    email_config_id=6000071619,
    group_id=6000208874,
    name="Alice Nguyen",
    cc_emails=["bob.smith@uni.example.edu"],
    priority=4,
    status=2,
    tags=["security"],
)
# (the Ticket model's `source` property has no name for 10, Outbound Email: read the raw value)
ok("tickets.create_outbound_email", "%s %s %s" % (t.status, t.priority, t._source))
note = fd.comments.create_note(t.id, "<p>details</p>")
ok("comments.create_note", note.private)
reply = fd.comments.create_reply(t.id, "<p>The instance has been deleted.</p>")
ok("comments.create_reply", reply.body)
updated = fd.tickets.update_ticket(t.id, status=4)
ok("tickets.update_ticket", updated.status)
found = fd.tickets.filter_tickets("tag:'security'")
ok("tickets.filter_tickets", " ".join(str(x.id) for x in found))
ok("comments.list_comments", len(fd.comments.list_comments(t.id)))
try:
    client("wrong-key").tickets.get_ticket(t.id)
    raise SystemExit("a bad key was accepted")
except FreshdeskUnauthorized:
    ok("tickets.get_ticket(bad key)", "FreshdeskUnauthorized")
print("done", flush=True)
