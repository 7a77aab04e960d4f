#!/usr/bin/env python3
"""A compact Raft node serving Maelstrom's lin-kv workload (read, write, cas).

Speaks Maelstrom's protocol on stdin/stdout (one JSON message per line) and raftsim's
extension (docs/external-protocol.md): a data directory to persist into, timer settings,
`raftsim_campaign` (start an election now), `raftsim_transfer` (a leader hands leadership to
a caught-up peer with timeout_now), `append` (adds to a key's value) and, with
--reports, `raftsim_state` reports.

When raftsim offers deterministic mode in init, the node accepts it: it then reads no clock
(the time comes with every input), draws randomness only from the seed it was given, ends
every step with raftsim_step_done naming when it next wants to be woken, and keeps its term,
vote and log in raftsim's disk service instead of files, so that crashes lose what was not
synced. Without that offer it runs on the wall clock, as any Maelstrom node.

Raft as in Figure 2 of the paper: terms, votes with the up-to-date log check, AppendEntries
with the consistency check, commit only of entries of the leader's own term by counting
replicas, a no-op appended by every new leader, and pre-vote (section 9.6 of the Raft
thesis): a node whose election timer fires first asks whether it could win, without raising
its term, so one whose messages are slow or lost cannot drive every term up (a campaign forced
by raftsim_campaign skips it). Reads go through the log, so they are
linearizable. Term, vote and log are written to the data directory and fsynced before any
message that depends on them leaves.

Planted bug (off by default), for showing what raftsim finds:
  --bug vote_without_log_check   grant votes without checking that the candidate's log is
                                 at least as up-to-date as ours (breaks section 5.4.1)
Its input, output and storage (files, or raftsim's disk service) are in node_io.py beside it.
Standard library only.
"""
import argparse
import json
import math
import os
import random
import sys
import time
import zlib

sys.dont_write_bytecode = True  # run from a source tree: leave no __pycache__ beside it
from node_io import (CorruptDisk, FileStorage, NoStorage, ServiceStorage, read_line, read_lines,
                     write_all)

FOLLOWER, CANDIDATE, LEADER = "follower", "candidate", "leader"
NOT_LEADER, KEY_MISSING, PRECONDITION_FAILED = 11, 20, 22
MAX_BATCH = 64
# Which of Raft's kinds each of this node's message types is (raftsim's extension), so that a
# scenario's message faults (drop_messages: {type: vote_request}) can pick them out.
# append_entries is both: an append when its `entries` is not empty, else a heartbeat.
MESSAGE_KINDS = {
    "vote_request": "request_vote", "vote_response": "request_vote_res",
    "pre_vote_request": "pre_vote", "pre_vote_response": "pre_vote_res",
    "append": "append_entries", "heartbeat": "append_entries",
    "append_response": "append_entries_res", "timeout_now": "timeout_now",
}


class Node:
    def __init__(self, args):
        self.args = args
        self.id = None
        self.peers = []
        self.election_timeout = 0.3
        self.heartbeat = 0.05
        self.max_batch = MAX_BATCH
        self.next_msg_id = 0
        # Persistent state (Figure 2): written to disk before anything that depends on it.
        self.term = 0
        self.voted_for = None
        self.log = []  # entries {"term", "op"}; Raft index i is self.log[i - 1]
        self.dirty = False
        self.rewrite_from = None  # the first index changed in place (truncated) since the last save
        self.storage = NoStorage()
        # Volatile state.
        self.role = FOLLOWER
        self.leader = None
        self.commit_index = 0
        self.last_applied = 0
        self.kv = {}
        self.votes = set()
        self.pre_votes = None  # while asking for pre-votes: who granted one for term + 1
        self.leader_seen_at = None  # when a leader's append last reached us
        self.next_index = {}
        self.match_index = {}
        # The last entry each peer was sent. A peer sent entries it has not acknowledged is
        # awaiting (awaiting()): a leader sends it nothing more until it answers or a heartbeat is
        # due, or every client request would add an append in flight to a lagging follower,
        # every answer would send another, and the messages in flight would grow with the load
        # for as long as the follower lags. A heartbeat sends an awaiting peer its entries again;
        # when both copies are answered, only the answer reaching this far sends the next ones,
        # or each heartbeat would start one more chain of sends and answers.
        self.sent_through = {}
        self.pending = {}  # log index -> (client, msg_id) to answer once applied
        self.election_deadline = 0.0
        self.start_at = 0.0
        self.heartbeat_due = 0.0
        self.outbox = []
        self.last_report = None
        self.hashed = []  # (entry, [term, hash]) for the reports' log, valid while entry is log[i]
        self.rng = random.Random()
        self.deterministic = False  # raftsim owns the clock and the disk
        self.virtual_now = 0.0
        self.transfer_to = None  # the peer this leader hands leadership to, once caught up
        self.refused = None  # why it refused to start (a corrupt disk): it then takes no part

    def reported_log(self):
        """The log as (term, hash of the command) per index, for raftsim's log checks. Each entry
        is hashed once: hashing every command again in every step's report made a long run's
        steps slower with each entry (the list itself is still rebuilt and sent each step)."""
        keep = 0
        same = min(len(self.hashed), len(self.log))
        while keep < same and self.hashed[keep][0] is self.log[keep]:
            keep += 1
        del self.hashed[keep:]
        for e in self.log[keep:]:
            op = json.dumps(e["op"], sort_keys=True).encode()
            self.hashed.append((e, [e["term"], "%08x" % zlib.crc32(op)]))
        return [pair for _, pair in self.hashed]

    # ---- wire ----------------------------------------------------------------------------
    def send(self, dest, body):
        self.next_msg_id += 1
        body = dict(body, msg_id=self.next_msg_id)
        self.outbox.append({"src": self.id, "dest": dest, "body": body})

    def reply(self, request, body):
        self.send(request["src"], dict(body, in_reply_to=request["body"]["msg_id"]))

    def flush(self):
        """Persist, then let out what depended on it."""
        if self.dirty:
            self.persist()
        if self.args.reports and self.id is not None and not self.refused:
            self.report()
        out = "".join(json.dumps(m) + "\n" for m in self.outbox)
        self.outbox = []
        if out:
            write_all(out)

    def now(self):
        return self.virtual_now if self.deterministic else time.monotonic()

    def report(self):
        state = {
            "type": "raftsim_state", "role": self.role, "term": self.term,
            "voted_for": self.voted_for, "commit_index": self.commit_index,
            "last_log_index": len(self.log), "last_log_term": self.last_term(),
            "log": self.reported_log(),
        }
        if state != self.last_report:
            self.last_report = state
            self.outbox.append({"src": self.id, "dest": "raftsim", "body": state})

    # ---- storage ---------------------------------------------------------------------------
    def persist(self):
        self.storage.save(self.term, self.voted_for, self.log, self.rewrite_from)
        self.dirty, self.rewrite_from = False, None

    # ---- helpers ---------------------------------------------------------------------------
    def last_term(self):
        return self.log[-1]["term"] if self.log else 0

    def term_at(self, index):
        return self.log[index - 1]["term"] if 0 < index <= len(self.log) else 0

    def majority(self):
        return (len(self.peers) + 1) // 2 + 1

    def reset_election_timer(self):
        t = self.election_timeout
        now = max(self.now(), self.start_at)
        self.election_deadline = now + self.rng.uniform(t, 2 * t)

    def become_follower(self, term):
        self.transfer_to = None
        if term > self.term:
            self.term, self.voted_for, self.dirty = term, None, True
        if self.role == LEADER:
            self.pending.clear()  # their outcome is unknown to us now; clients time out
            # A leader runs no election timer: its deadline is from before it led. Without a
            # fresh one a deposed leader campaigns at once and keeps raising terms while its
            # messages are slow (scenarios/delayed_messages.yaml).
            self.role = FOLLOWER
            self.reset_election_timer()
        self.role = FOLLOWER

    # ---- elections ---------------------------------------------------------------------------
    def log_event(self, text):
        print("%.3f %s term %d: %s" % (self.now(), self.id, self.term, text), file=sys.stderr,
              flush=True)

    def campaign(self):
        self.log_event("campaigns")
        self.pre_votes = None
        self.role = CANDIDATE
        self.term += 1
        self.voted_for = self.id
        self.dirty = True
        self.leader = None
        self.votes = {self.id}
        self.reset_election_timer()
        for p in self.peers:
            self.send(p, {"type": "request_vote", "term": self.term,
                          "last_log_index": len(self.log), "last_log_term": self.last_term()})
        self.maybe_win()

    def pre_campaign(self):
        self.log_event("asks for pre-votes")
        self.pre_votes = {self.id}
        self.reset_election_timer()
        for p in self.peers:
            self.send(p, {"type": "pre_vote", "term": self.term + 1,
                          "last_log_index": len(self.log), "last_log_term": self.last_term()})
        self.maybe_campaign()

    def maybe_campaign(self):
        if self.pre_votes is not None and len(self.pre_votes) >= self.majority():
            self.pre_votes = None
            self.campaign()

    def on_pre_vote(self, m):
        # Granted as a vote would be, but nothing changes here: not the term, not the vote. A
        # node that heard from a leader within the election timeout grants none (that leader
        # is alive), and a leader grants none.
        b = m["body"]
        up_to_date = (b["last_log_term"], b["last_log_index"]) >= (self.last_term(), len(self.log))
        if self.args.bug == "vote_without_log_check":
            up_to_date = True
        leader_alive = self.role == LEADER or (
            self.leader_seen_at is not None
            and self.now() - self.leader_seen_at < self.election_timeout)
        granted = b["term"] > self.term and up_to_date and not leader_alive
        self.reply(m, {"type": "pre_vote_res", "term": self.term, "pre_term": b["term"],
                       "granted": granted})

    def on_pre_vote_res(self, m):
        b = m["body"]
        if b["term"] > self.term and not b["granted"]:
            self.become_follower(b["term"])
            self.pre_votes = None
        elif (self.pre_votes is not None and self.role != LEADER and b["granted"]
              and b["pre_term"] == self.term + 1):
            self.pre_votes.add(m["src"])
            self.maybe_campaign()

    def on_request_vote(self, m):
        b = m["body"]
        if b["term"] > self.term:
            self.become_follower(b["term"])
        up_to_date = (b["last_log_term"], b["last_log_index"]) >= (self.last_term(), len(self.log))
        if self.args.bug == "vote_without_log_check":
            up_to_date = True
        granted = (b["term"] == self.term and self.voted_for in (None, m["src"]) and up_to_date)
        if granted:
            self.voted_for, self.dirty = m["src"], True
            self.reset_election_timer()
        self.reply(m, {"type": "request_vote_res", "term": self.term, "granted": granted})

    def on_request_vote_res(self, m):
        b = m["body"]
        if b["term"] > self.term:
            self.become_follower(b["term"])
        elif self.role == CANDIDATE and b["term"] == self.term and b["granted"]:
            self.votes.add(m["src"])
            self.maybe_win()

    def maybe_win(self):
        if self.role != CANDIDATE or len(self.votes) < self.majority():
            return
        self.role, self.leader = LEADER, self.id
        self.log_event("becomes leader")
        self.next_index = {p: len(self.log) + 1 for p in self.peers}
        self.match_index = {p: 0 for p in self.peers}
        self.sent_through = {p: 0 for p in self.peers}
        self.log.append({"term": self.term, "op": None})  # the new leader's no-op
        self.dirty = True
        self.broadcast_append()
        self.advance_commit()

    # ---- replication ---------------------------------------------------------------------------
    def broadcast_append(self):
        """A heartbeat: to every peer, answered or not (a lost append or answer is sent again)."""
        for p in self.peers:
            self.send_append(p)
        self.heartbeat_due = self.now() + self.heartbeat

    def awaiting(self, peer):
        """Whether `peer` was sent entries it has not acknowledged."""
        return self.sent_through.get(peer, 0) > self.match_index.get(peer, 0)

    def replicate(self):
        """New entries, to the peers that have answered what they were sent."""
        for p in self.peers:
            if not self.awaiting(p):
                self.send_append(p)

    def send_append(self, peer):
        prev = self.next_index[peer] - 1
        entries = self.log[prev:prev + self.max_batch]
        self.sent_through[peer] = prev + len(entries)
        self.send(peer, {"type": "append_entries", "term": self.term, "prev_log_index": prev,
                         "prev_log_term": self.term_at(prev), "entries": entries,
                         "leader_commit": self.commit_index})

    def on_append_entries(self, m):
        b = m["body"]
        if b["term"] < self.term:
            self.reply(m, {"type": "append_entries_res", "term": self.term, "success": False,
                           "hint": 0})
            return
        self.become_follower(b["term"])
        self.leader = m["src"]
        self.leader_seen_at = self.now()
        self.pre_votes = None  # a leader is alive: no election
        self.reset_election_timer()
        prev = b["prev_log_index"]
        if prev > len(self.log) or self.term_at(prev) != b["prev_log_term"]:
            self.reply(m, {"type": "append_entries_res", "term": self.term, "success": False,
                           "hint": min(prev, len(self.log) + 1)})
            return
        for i, entry in enumerate(b["entries"]):
            index = prev + 1 + i
            if index <= len(self.log) and self.term_at(index) != entry["term"]:
                del self.log[index - 1:]  # a real conflict: drop the suffix (5.3)
                self.dirty = True
                self.rewrite_from = min(self.rewrite_from or index, index)
            if index > len(self.log):
                self.log.append(entry)
                self.dirty = True
        match = prev + len(b["entries"])
        self.commit_index = max(self.commit_index, min(b["leader_commit"], match))
        self.reply(m, {"type": "append_entries_res", "term": self.term, "success": True,
                       "match": match})
        self.apply()

    def on_append_entries_res(self, m):
        b = m["body"]
        if b["term"] > self.term:
            self.become_follower(b["term"])
            return
        if self.role != LEADER or b["term"] != self.term:
            return
        peer = m["src"]
        if b["success"]:
            self.match_index[peer] = max(self.match_index[peer], b["match"])
            self.next_index[peer] = self.match_index[peer] + 1
            self.advance_commit()
            if not self.awaiting(peer) and self.next_index[peer] <= len(self.log):
                self.send_append(peer)  # the last send is answered: the next entries
            self.maybe_hand_over()
        else:
            self.next_index[peer] = max(1, min(self.next_index[peer] - 1, b["hint"]))
            self.send_append(peer)

    # ---- leadership transfer (raftsim_transfer; section 3.10 of the Raft thesis) -------------
    def on_transfer(self, m):
        to = m["body"].get("to")
        if self.role != LEADER or to not in self.peers:
            return
        self.transfer_to = to
        self.log_event("hands leadership to %s once it is caught up" % to)
        self.maybe_hand_over()

    def maybe_hand_over(self):
        # The target must hold the whole log, or its campaign could not win (or, worse, would
        # need votes the up-to-date check refuses); then it campaigns at once.
        to = self.transfer_to
        if to is None or self.role != LEADER:
            return
        if self.match_index[to] < len(self.log):
            if not self.awaiting(to):  # else its answer brings the next append
                self.send_append(to)
            return
        self.transfer_to = None
        self.send(to, {"type": "timeout_now", "term": self.term})

    def on_timeout_now(self, m):
        if m["body"]["term"] == self.term and self.role != LEADER:
            self.log_event("told to campaign by the leader")
            self.campaign()

    def advance_commit(self):
        for n in range(len(self.log), self.commit_index, -1):
            if self.term_at(n) != self.term:
                break  # only entries of the leader's own term are committed by counting (5.4.2)
            if 1 + sum(1 for p in self.peers if self.match_index[p] >= n) >= self.majority():
                self.commit_index = n
                self.apply()
                return

    # ---- the key-value store ---------------------------------------------------------------
    def apply(self):
        while self.last_applied < self.commit_index:
            self.last_applied += 1
            entry = self.log[self.last_applied - 1]
            result = self.execute(entry["op"]) if entry["op"] else None
            waiting = self.pending.pop(self.last_applied, None)
            if waiting and result is not None:
                client, msg_id = waiting
                self.send(client, dict(result, in_reply_to=msg_id))

    def execute(self, op):
        key = op["key"]
        if op["type"] == "read":
            if key not in self.kv:
                return {"type": "error", "code": KEY_MISSING, "text": "no such key"}
            return {"type": "read_ok", "value": self.kv[key]}
        if op["type"] == "write":
            self.kv[key] = op["value"]
            return {"type": "write_ok"}
        if op["type"] == "append":  # raftsim's extension: lin-kv has no append
            self.kv[key] = self.kv.get(key, "") + op["value"]
            return {"type": "append_ok"}
        if key not in self.kv:
            return {"type": "error", "code": KEY_MISSING, "text": "no such key"}
        if self.kv[key] != op["from"]:
            return {"type": "error", "code": PRECONDITION_FAILED,
                    "text": "expected %r, found %r" % (op["from"], self.kv[key])}
        self.kv[key] = op["to"]
        return {"type": "cas_ok"}

    def on_client_request(self, m):
        if self.role != LEADER:
            self.reply(m, {"type": "error", "code": NOT_LEADER,
                           "text": "not the leader (leader: %s)" % self.leader})
            return
        b = m["body"]
        op = {k: b[k] for k in ("type", "key", "value", "from", "to") if k in b}
        self.log.append({"term": self.term, "op": op})
        self.dirty = True
        self.pending[len(self.log)] = (m["src"], b["msg_id"])
        self.replicate()
        self.advance_commit()

    # ---- the loop ---------------------------------------------------------------------------
    def on_init(self, m):
        b = m["body"]
        self.id = b["node_id"]
        self.peers = [n for n in b["node_ids"] if n != self.id]
        ext = b.get("raftsim") or {}
        self.rng.seed(ext.get("seed"))
        self.deterministic = bool(ext.get("deterministic"))
        data_dir = ext.get("data_dir") or os.environ.get("RAFTSIM_DATA_DIR")
        self.election_timeout = ext.get("election_timeout_ms", 300) / 1000.0
        self.heartbeat = ext.get("heartbeat_ms", 50) / 1000.0
        # Never more entries in one append than the scenario allows, nor than this node's own batch.
        self.max_batch = max(1, min(MAX_BATCH, ext.get("max_entries_per_append", MAX_BATCH)))
        # Every node starts its timers at one moment (time 0), not when its process came up.
        start = ext.get("start_at_unix_ms")
        if self.deterministic:
            self.start_at = 0
            self.storage = ServiceStorage(self.id)
        else:
            self.start_at = (time.monotonic() + max(0.0, start / 1000.0 - time.time())
                             if start else 0)
            self.storage = FileStorage(data_dir) if data_dir else NoStorage()
        try:
            self.term, self.voted_for, self.log = self.storage.load()
        except CorruptDisk as refusal:
            self.refused = str(refusal)
            print(self.refused, file=sys.stderr, flush=True)
        self.reset_election_timer()
        self.reply(m, {"type": "init_ok",
                       "raftsim": {"campaign": True, "transfer": True,
                                   "state_reports": self.args.reports,
                                   "append": True,
                                   "deterministic": self.deterministic,
                                   "message_kinds": MESSAGE_KINDS}})

    def handle(self, m):
        kind = m["body"]["type"]
        if self.refused and kind != "init":
            if kind in ("read", "write", "cas", "append"):
                self.reply(m, {"type": "error", "code": NOT_LEADER, "text": self.refused})
            return
        handler = {
            "init": self.on_init,
            "request_vote": self.on_request_vote,
            "request_vote_res": self.on_request_vote_res,
            "pre_vote": self.on_pre_vote,
            "pre_vote_res": self.on_pre_vote_res,
            "append_entries": self.on_append_entries,
            "append_entries_res": self.on_append_entries_res,
            "read": self.on_client_request,
            "write": self.on_client_request,
            "cas": self.on_client_request,
            "append": self.on_client_request,
            "timeout_now": self.on_timeout_now,
            "raftsim_campaign": lambda _: self.campaign() if self.role != LEADER else None,
            "raftsim_transfer": self.on_transfer,
        }.get(kind)
        if handler:
            handler(m)
        elif "msg_id" in m["body"]:
            self.reply(m, {"type": "error", "code": 10, "text": "unsupported: " + kind})

    def on_timers(self):
        if self.id is None or self.refused:
            return
        # Within a microsecond counts as due: raftsim's time comes in whole microseconds, so a
        # wake-up asked for at a deadline may land a rounding error before it.
        now = self.now() + 1e-6
        if self.role == LEADER and now >= self.heartbeat_due:
            self.broadcast_append()
        elif self.role != LEADER and now >= self.election_deadline:
            self.pre_campaign()

    def next_timer(self):
        if self.id is None:
            return None
        due = self.heartbeat_due if self.role == LEADER else self.election_deadline
        return max(0.0, due - self.now())

    def run(self):
        first = read_line()
        if not first:
            return
        m = json.loads(first)
        # In deterministic mode time starts at the init's virtual time (a restart's is not 0).
        self.virtual_now = m.get("time_us", 0) / 1e6
        self.handle(m)
        self.flush()
        if self.deterministic:
            return self.run_deterministically()
        self.run_on_wall_clock()

    def run_deterministically(self):
        """One step per input: handle it at the time it carries, persist, send, say when to
        wake us. No clock is read and nothing else is waited for."""
        while True:
            self.end_step()
            line = read_line()
            if not line:
                return
            m = json.loads(line)
            self.virtual_now = m["time_us"] / 1e6
            if m["body"]["type"] != "raftsim_wake":
                self.handle(m)
            self.on_timers()
            self.flush()

    def end_step(self):
        wake = self.heartbeat_due if self.role == LEADER else self.election_deadline
        write_all(json.dumps({"src": self.id, "dest": "raftsim",
                              "body": {"type": "raftsim_step_done",
                                       "wake_at_us": None if self.refused
                                       else math.ceil(wake * 1e6)}}) + "\n")

    def run_on_wall_clock(self):
        while True:
            lines = read_lines(wait=self.next_timer())
            if lines is None:
                return
            for line in lines:
                self.handle(json.loads(line))
            self.on_timers()
            self.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bug", choices=["vote_without_log_check"], help="plant a bug")
    parser.add_argument("--reports", action="store_true",
                        help="send raftsim_state reports (raftsim's extension)")
    Node(parser.parse_args()).run()


if __name__ == "__main__":
    main()
