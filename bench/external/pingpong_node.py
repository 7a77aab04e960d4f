#!/usr/bin/env python3
"""Keeps raftsim's router busy: each node keeps WINDOW pings in flight to every peer, answers
every ping with a pong, and sends a new ping for every pong. No Raft, no clients: the messages
per second a run routes are the router's (and the Python processes') pace, not a workload's.
Usage: pingpong_node.py [WINDOW]   (default 32)
"""
import json
import sys

WINDOW = int(sys.argv[1]) if len(sys.argv) > 1 else 32
out = sys.stdout
me, peers, next_id = None, [], 0


def send(dest, body):
    global next_id
    next_id += 1
    body["msg_id"] = next_id
    out.write(json.dumps({"src": me, "dest": dest, "body": body}) + "\n")


for line in sys.stdin:
    msg = json.loads(line)
    body = msg["body"]
    kind = body["type"]
    if kind == "init":
        me = body["node_id"]
        peers = [n for n in body["node_ids"] if n != me]
        out.write(json.dumps({"src": me, "dest": msg["src"],
                              "body": {"type": "init_ok", "in_reply_to": body["msg_id"]}}) + "\n")
        for peer in peers:
            for _ in range(WINDOW):
                send(peer, {"type": "ping"})
    elif kind == "ping":
        send(msg["src"], {"type": "pong", "in_reply_to": body["msg_id"]})
    elif kind == "pong":
        send(msg["src"], {"type": "ping"})
    out.flush()
