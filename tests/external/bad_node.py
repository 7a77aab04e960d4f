#!/usr/bin/env python3
"""A node that breaks Maelstrom's protocol in one chosen way, for raftsim's tests."""
import json
import os
import sys
import time

MODE = sys.argv[1]  # any other mode ("plain"): answers init with a bare init_ok, then idles


def write(text):
    os.write(1, text.encode() if isinstance(text, str) else text)


def answer_init(deterministic=False):
    """Answers init; a node in deterministic mode also ends that first step."""
    init = json.loads(sys.stdin.readline())
    me = init["body"]["node_id"]
    body = {"type": "init_ok", "in_reply_to": init["body"]["msg_id"]}
    if deterministic:
        body["raftsim"] = {"deterministic": True}
    write(json.dumps({"src": me, "dest": init["src"], "body": body}) + "\n")
    if deterministic:
        write(json.dumps({"src": me, "dest": "raftsim", "body": {"type": "raftsim_step_done"}}) + "\n")
    return me


if MODE == "silent":  # reads, never answers init
    for _ in sys.stdin:
        pass
elif MODE == "exit":  # answers init, then exits by itself
    answer_init()
    sys.exit(3)
elif MODE == "wrong_reply":  # answers every client request with a reply of another kind
    me = answer_init()
    for line in sys.stdin:
        msg = json.loads(line)
        if msg["src"].startswith("c"):
            write(json.dumps({"src": me, "dest": msg["src"],
                              "body": {"type": "cas_ok", "in_reply_to": msg["body"]["msg_id"]}}) + "\n")
elif MODE == "contradict":  # answers each request twice: first success, then a definite error
    me = answer_init()
    for line in sys.stdin:
        msg = json.loads(line)
        if msg["src"].startswith("c"):
            kind = msg["body"]["type"]
            ok = {"type": kind + "_ok", "in_reply_to": msg["body"]["msg_id"]}
            if kind == "read":
                ok["value"] = 0
            write(json.dumps({"src": me, "dest": msg["src"], "body": ok}) + "\n")
            write(json.dumps({"src": me, "dest": msg["src"],
                              "body": {"type": "error", "code": 22, "text": "changed my mind",
                                       "in_reply_to": msg["body"]["msg_id"]}}) + "\n")
elif MODE == "close_stdout":  # answers init, then closes its stdout and goes on reading
    answer_init()
    os.close(1)
    for _ in sys.stdin:
        pass
elif MODE == "close_stdout_det":  # the same in deterministic mode, after its first step
    answer_init(deterministic=True)
    os.close(1)
    for _ in sys.stdin:
        pass
elif MODE == "step_hang":  # opts into deterministic mode, ends one step, never the next
    answer_init(deterministic=True)
    for _ in sys.stdin:
        pass
elif MODE == "storm_det":  # deterministic; every message it gets, it passes on twice
    me = answer_init(deterministic=True)
    peers = ["n1", "n2", "n3"]
    peer = peers[(peers.index(me) + 1) % len(peers)]
    for line in sys.stdin:
        msg = json.loads(line)
        out = ""
        if msg["body"]["type"] == "noise" or msg["src"].startswith("c"):  # a client starts it
            out = (json.dumps({"src": me, "dest": peer, "body": {"type": "noise"}}) + "\n") * 2
        write(out + json.dumps({"src": me, "dest": "raftsim",
                                "body": {"type": "raftsim_step_done"}}) + "\n")
else:
    me = answer_init()
    if me == "n1":
        time.sleep(0.2)
        if MODE == "garbage":
            write(b"hello\x01world\n")
        elif MODE == "wrong_src":
            write(json.dumps({"src": "n9", "dest": "n2", "body": {"type": "x"}}) + "\n")
        elif MODE == "long_line":
            write(b"a" * (2 << 20))
        elif MODE == "flood":  # lines without end, far faster than any Raft node writes
            line = (json.dumps({"src": me, "dest": "n2", "body": {"type": "noise"}}) + "\n") * 1000
            while True:
                write(line)
        elif MODE == "unknown_reply":
            write(json.dumps({"src": me, "dest": "c1",
                              "body": {"type": "read_ok", "in_reply_to": 987654, "value": 1}}) + "\n")
    for _ in sys.stdin:
        pass
