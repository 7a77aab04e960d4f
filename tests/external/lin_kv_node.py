#!/usr/bin/env python3
"""A Maelstrom lin-kv node as strict as a typed one: keys and values must be integers.

No extension and no replication: n1 holds the map and answers; every other node refuses with
error 11 (temporarily unavailable, a definite error), so a client moves on to the next node.
Linearizable while n1 runs, which is all a scenario without faults asks. Anything that is not
an integer where Maelstrom's lin-kv workload sends one ends the node with exit status 3 and the
reason on stderr, as a node that decodes into int would fail.
"""
import json
import sys

state = {}
me = None


def reply(msg, body):
    body["in_reply_to"] = msg["body"]["msg_id"]
    sys.stdout.write(json.dumps({"src": me, "dest": msg["src"], "body": body}) + "\n")
    sys.stdout.flush()


def integer(msg, field):
    value = msg["body"].get(field)
    if type(value) is not int:
        sys.stderr.write(f"{field} is {value!r}, not an integer: {json.dumps(msg)}\n")
        sys.exit(3)
    return value


for line in sys.stdin:
    msg = json.loads(line)
    kind = msg["body"]["type"]
    if kind == "init":
        me = msg["body"]["node_id"]
        reply(msg, {"type": "init_ok"})
        continue
    if kind not in ("read", "write", "cas"):
        continue
    key = integer(msg, "key")
    if me != "n1":
        reply(msg, {"type": "error", "code": 11, "text": "ask n1"})
    elif kind == "read":
        if key in state:
            reply(msg, {"type": "read_ok", "value": state[key]})
        else:
            reply(msg, {"type": "error", "code": 20, "text": "no such key"})
    elif kind == "write":
        state[key] = integer(msg, "value")
        reply(msg, {"type": "write_ok"})
    else:
        old, new = integer(msg, "from"), integer(msg, "to")
        if key not in state:
            reply(msg, {"type": "error", "code": 20, "text": "no such key"})
        elif state[key] != old:
            reply(msg, {"type": "error", "code": 22, "text": "from does not match"})
        else:
            state[key] = new
            reply(msg, {"type": "cas_ok"})
