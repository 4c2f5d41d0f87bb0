"""openstacksdk (keystoneauth version discovery included) against octo-sim.

Usage: python openstack_sdk.py SIM_URL
Prints one `ok <call> <result>` line per call; any failure raises (non-zero exit).
"""
import sys

import openstack

URL = sys.argv[1]


def ok(call, result):
    print("ok", call, result, flush=True)


def idle(conn, server):
    """Wait until no task runs on the server (a snapshot keeps status PAUSED meanwhile)."""
    for _ in openstack.utils.iterate_timeout(30, "task still running", wait=0.05):
        server = conn.compute.get_server(server.id)
        if server.task_state is None:
            return server


conn = openstack.connect(
    auth_url=URL + "/identity",
    username="secops",
    password="sim-os-password-0000",
    project_name="admin",
    user_domain_name="Default",
    project_domain_name="Default",
    region_name="RegionOne",
    interface="public",
)
conn.authorize()
ok("authorize", conn.current_project.name)
compute_doc = conn.compute.get_endpoint_data()
ok("compute.max_microversion", "%d.%d" % compute_doc.max_microversion)

servers = list(conn.compute.servers(all_projects=True))
ok("compute.servers(all_projects)", len(servers))
projects = sorted({s.project_id for s in servers})
ok("compute.servers.projects", len(projects))
web = [s for s in servers if s.name == "web01" and s.status == "ACTIVE"][0]
srv = conn.compute.get_server(web.id)
ok("compute.get_server", "%s %s" % (srv.name, srv.status))

conn.compute.pause_server(srv)
srv = conn.compute.wait_for_server(srv, status="PAUSED", interval=0.05, wait=30)
ok("compute.pause_server", srv.status)
conn.compute.lock_server(srv, locked_reason="security")
srv = conn.compute.get_server(srv.id)
ok("compute.lock_server", "%s %s" % (srv.is_locked, srv.locked_reason))
conn.compute.set_server_metadata(srv, security_ticket="https://support.example.org/helpdesk/tickets/1")
ok("compute.get_server_metadata", conn.compute.get_server_metadata(srv).metadata["security_ticket"])
out = conn.compute.get_server_console_output(srv, length=3)
ok("compute.get_server_console_output", len(out["output"].splitlines()))
image = conn.compute.create_server_image(srv, "evidence-web01", metadata={"security_ticket": "1"})
ok("compute.create_server_image", image.name if hasattr(image, "name") else image)
srv = idle(conn, srv)
conn.compute.unlock_server(srv)
srv = conn.compute.get_server(srv.id)
ok("compute.unlock_server", "%s %s" % (srv.is_locked, srv.locked_reason))
conn.compute.unpause_server(srv)
srv = conn.compute.wait_for_server(srv, status="ACTIVE", interval=0.05, wait=30)
ok("compute.unpause_server", srv.status)

ports = list(conn.network.ports(device_id=srv.id))
ok("network.ports", "%d %s" % (len(ports), ports[0].mac_address if ports else "-"))

manager = list(conn.identity.roles(name="TenantManager"))[0]
assignments = list(conn.identity.role_assignments(
    scope_project_id=srv.project_id, role_id=manager.id, effective=True, include_names=True))
ok("identity.role_assignments", " ".join(sorted(a.user["name"] for a in assignments)))
ok("identity.get_user", conn.identity.get_user(srv.user_id).name)
ok("identity.get_project", conn.identity.get_project(srv.project_id).name)

doomed = [s for s in servers if s.name == "db01"][0]
conn.compute.delete_server(doomed)
conn.compute.wait_for_delete(doomed, interval=0.05, wait=30)
ok("compute.delete_server", conn.compute.find_server(doomed.id, all_projects=True) is None)
print("done", flush=True)
