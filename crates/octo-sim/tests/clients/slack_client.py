"""slack_sdk (WebClient) against octo-sim.

Usage: python slack.py SIM_URL
Prints one `ok <call> <result>` line per call; any failure raises (non-zero exit).
"""
import json
import sys
import urllib.request

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

URL = sys.argv[1]
TOKEN = "xoxb-sim-slack-token-0000"


def ok(call, result):
    print("ok", call, result, flush=True)


def faults(body):
    req = urllib.request.Request(URL + "/_sim/faults", data=json.dumps(body).encode(), method="PUT",
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req).read()


client = WebClient(token=TOKEN, base_url=URL + "/api/")
r = client.chat_postMessage(channel="#secops", text="octo-sim CI: hello")
ok("chat_postMessage", "%s %s" % (r["ok"], r["channel"]))

try:
    WebClient(token="xoxb-wrong", base_url=URL + "/api/").chat_postMessage(channel="#secops", text="x")
    raise SystemExit("a bad token was accepted")
except SlackApiError as e:
    ok("chat_postMessage(bad token)", e.response["error"])

# every first attempt is answered 429 + Retry-After: 0; the retry handler waits and sends again
faults({"rate_429": 1.0, "retry_after_secs": 0, "max_in_a_row": 1})
handler = RateLimitErrorRetryHandler(max_retry_count=2)
limited = WebClient(token=TOKEN, base_url=URL + "/api/", retry_handlers=[handler])
r = limited.chat_postMessage(channel="#secops", text="octo-sim CI: after a 429")
faults({})
ok("chat_postMessage(429 then retry)", r["ok"])
print("done", flush=True)
