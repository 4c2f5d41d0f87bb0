"""slack_sdk's SocketModeClient (the builtin WebSocket client) against octo-sim's Socket Mode.

Usage: python slack_socket_client.py SIM_URL
Connects with the app-level token, has octo-sim inject a mention, receives it, acknowledges it.
Prints one `ok <step> <result>` line per step; any failure raises (non-zero exit).
"""
import json
import sys
import threading
import urllib.request

from slack_sdk import WebClient
from slack_sdk.socket_mode import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

URL = sys.argv[1]
APP_TOKEN = "xapp-1-ASIM0000-1-simapptoken0000"


def ok(step, result):
    print("ok", step, result, flush=True)


def sim(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(URL + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req).read())


got = {}
received = threading.Event()


def listener(client: SocketModeClient, req: SocketModeRequest):
    client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
    got["type"] = req.type
    got["envelope_id"] = req.envelope_id
    got["event"] = req.payload["event"]
    received.set()


client = SocketModeClient(app_token=APP_TOKEN, web_client=WebClient(base_url=URL + "/api/"))
client.socket_mode_request_listeners.append(listener)
client.connect()
ok("connect", client.is_connected())

sent = sim("POST", "/_sim/slack/inject",
           {"kind": "mention", "user": "USIMOPS01", "text": "groups"})
if not received.wait(30):
    raise SystemExit("no envelope within 30 s")
ok("event", "%s %s %s" % (got["type"], got["event"]["type"], got["event"]["text"]))
ok("same envelope", got["envelope_id"] == sent["envelope"]["envelope_id"])

# the ack reached the simulator: nothing is pending any more
for _ in range(300):
    state = sim("GET", "/_sim/slack/socket")
    if not state["pending"]:
        break
    threading.Event().wait(0.01)
ok("acknowledged", [a["envelope_id"] for a in state["acks"]] == [got["envelope_id"]])
client.close()
print("done", flush=True)
