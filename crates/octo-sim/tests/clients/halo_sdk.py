"""The CloudPassage Halo Python SDK (cloudpassage 1.6.5) against octo-sim.

Usage: python halo_sdk.py SIM_URL DAY   (DAY = YYYY-MM-DD, a complete UTC day of the world)
Prints one `ok <call> <result>` line per call; any failure raises (non-zero exit).

The SDK only speaks https://<host>.cloudpassage.com:<port>; the one shim is a HaloSession whose
URL prefix is the simulator's (everything else is the SDK as published).
"""
import datetime
import sys

import cloudpassage

URL, DAY = sys.argv[1], sys.argv[2]


class SimSession(cloudpassage.HaloSession):
    def build_endpoint_prefix(self):
        return URL


def ok(call, result):
    print("ok", call, result, flush=True)


ro = SimSession("sim-read-key", "sim-read-secret-0000", integration_string="octo-sim-ci")
rw = SimSession("sim-rw-key", "sim-rw-secret-0000", integration_string="octo-sim-ci")

assert ro.authenticate_client()
ok("authenticate_client", ro.auth_scope)

servers = cloudpassage.Server(ro)
active = servers.list_all()
ok("Server.list_all", len(active))
every = servers.list_all(state="active,missing,deactivated,retired")
ok("Server.list_all(state=all)", len(every))
first = active[0]
ok("Server.describe", servers.describe(first["id"])["id"] == first["id"])
ok("Server.issues", type(servers.issues(first["id"])).__name__)

groups = cloudpassage.ServerGroup(ro)
all_groups = groups.list_all()
ok("ServerGroup.list_all", len(all_groups))
by_path = {g["group_path"]: g for g in all_groups}
quarantine = by_path["Root/Quarantine"]
ok("ServerGroup.describe", groups.describe(quarantine["id"])["name"])
ok("ServerGroup.list_members", len(groups.list_members(by_path["Root/q-test"]["id"])))

issues = cloudpassage.Issue(ro)
ok("Issue.list_all", len(issues.list_all(max_pages=2)) > 0)

events = cloudpassage.Event(ro)
ok("Event.list_all", len(events.list_all(2, since=DAY)))

scans = cloudpassage.Scan(ro)
ok("Scan.scan_history", len(scans.scan_history(max_pages=1)) > 0)

policies = cloudpassage.FirewallPolicy(ro)
fw = policies.list_all()
ok("FirewallPolicy.list_all", len(fw))
web = [p for p in fw if p["name"] == "Web FW (Linux)"][0]
ok("FirewallPolicy.describe", policies.describe(web["id"])["name"])
rules = cloudpassage.FirewallRule(ro).list_all(web["id"])
ok("FirewallRule.list_all", len(rules))
ok("FirewallRule.describe", cloudpassage.FirewallRule(ro).describe(web["id"], rules[0]["id"])["id"] == rules[0]["id"])
zones = cloudpassage.FirewallZone(ro)
all_zones = zones.list_all()
ok("FirewallZone.list_all", len(all_zones))
blocker = [z for z in all_zones if z["name"] == "halo-ipblocker"][0]
ok("FirewallZone.describe", zones.describe(blocker["id"])["ip_address"])

# the read-only key cannot write
try:
    cloudpassage.Server(ro).assign_group(first["id"], quarantine["id"])
    raise SystemExit("a read-only key moved a server")
except cloudpassage.CloudPassageAuthorization:
    ok("Server.assign_group(read-only key)", "CloudPassageAuthorization")

# the read-write key: quarantine (move) and ipblock (zone edit)
target = groups.list_members(by_path["Root/q-test"]["id"])[0]
ok("Server.assign_group", cloudpassage.Server(rw).assign_group(target["id"], quarantine["id"]))
ok("Server.describe(moved)", cloudpassage.Server(rw).describe(target["id"])["group_id"] == quarantine["id"])
zone = dict(blocker)
zone["ip_address"] = blocker["ip_address"] + ",198.51.100.23"
cloudpassage.FirewallZone(rw).update({"firewall_zone": zone})
ok("FirewallZone.update", zones.describe(blocker["id"])["ip_address"])

# bad credentials
try:
    SimSession("sim-read-key", "wrong-secret").authenticate_client()
    raise SystemExit("bad credentials were accepted")
except cloudpassage.CloudPassageAuthentication:
    ok("authenticate_client(bad secret)", "CloudPassageAuthentication")

# TimeSeries over one whole UTC day: from DAY 00:00 until the first item of the next day
start = datetime.datetime.strptime(DAY, "%Y-%m-%d")
end = (start + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
for url, key in (("/v1/events", "events"), ("/v1/scans", "scans")):
    stream = cloudpassage.TimeSeries(ro, DAY + "T00:00:00.000Z", url, key, params={})
    n, ids, last = 0, set(), ""
    for item in stream:
        if item["created_at"] >= end:
            stream.stop = True
            break
        assert item["created_at"] >= last, "out of order"
        last = item["created_at"]
        ids.add(item["id"])
        n += 1
    assert n == len(ids), "duplicates"
    ok("TimeSeries(%s)" % url, n)
print("done", flush=True)
