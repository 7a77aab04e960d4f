"""Where raft_node.py's bytes go: lines on stdin and stdout, and stable storage for Raft's
persistent state (term, vote, log).

Two stores with one interface, `load()` and `save(term, voted_for, log, rewrite_from)`:
FileStorage keeps the state in a data directory and fsyncs it (wall-clock mode);
ServiceStorage keeps it in raftsim's disk service (deterministic mode), so that raftsim
decides what a crash loses. Either is told, on each save, the first index whose entry changed
in place since the last save (a truncated conflict), or None when the log only grew.

Standard library only.
"""
import json
import os
import select


class CorruptDisk(Exception):
    """The disk holds damaged records: starting on it could break what others counted on."""


class NoStorage:
    """Nothing survives a restart (no data directory was given)."""

    def load(self):
        return 0, None, []

    def save(self, term, voted_for, log, rewrite_from):
        pass


class FileStorage:
    """meta.json (term, vote) is replaced atomically; log.jsonl has one entry per line and only
    grows, except when a conflict truncates it (then it is rewritten whole)."""

    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.saved_meta, self.saved_len, self.rewrite_all = (0, None), 0, False

    def load(self):
        os.makedirs(self.data_dir, exist_ok=True)
        term, voted_for, log = 0, None, []
        meta = os.path.join(self.data_dir, "meta.json")
        if os.path.exists(meta):
            with open(meta) as f:
                saved = json.load(f)
            term, voted_for = saved["term"], saved["voted_for"]
        path = os.path.join(self.data_dir, "log.jsonl")
        if os.path.exists(path):
            with open(path) as f:
                for line in f:
                    try:
                        log.append(json.loads(line))
                    except ValueError:
                        break  # a torn last line: it was never synced, so never acknowledged
        self.saved_meta, self.saved_len = (term, voted_for), len(log)
        self.rewrite_all = True  # drops a torn tail, if any
        return term, voted_for, log

    def save(self, term, voted_for, log, rewrite_from):
        if (term, voted_for) != self.saved_meta:
            self.write_atomically("meta.json", json.dumps({"term": term, "voted_for": voted_for}))
            self.saved_meta = (term, voted_for)
        if self.saved_len > len(log) or self.rewrite_all or rewrite_from is not None:
            self.write_atomically("log.jsonl", "".join(json.dumps(e) + "\n" for e in log))
        elif self.saved_len < len(log):
            with open(os.path.join(self.data_dir, "log.jsonl"), "a") as f:
                f.write("".join(json.dumps(e) + "\n" for e in log[self.saved_len:]))
                f.flush()
                os.fsync(f.fileno())
        self.saved_len, self.rewrite_all = len(log), False

    def write_atomically(self, name, text):
        path = os.path.join(self.data_dir, name)
        with open(path + ".tmp", "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.rename(path + ".tmp", path)
        dir_fd = os.open(self.data_dir, os.O_RDONLY)
        os.fsync(dir_fd)
        os.close(dir_fd)


class ServiceStorage:
    """The same state in raftsim's disk service: a record "meta" and one record "log.<index>"
    per entry; a record that does not parse was torn by a crash."""

    def __init__(self, node_id):
        self.node_id = node_id
        self.msg_id = 0
        self.saved_meta, self.saved_len = (0, None), 0
        self.rewrite_from = 1  # the first index to write again at the next save

    def request(self, body):
        """One request to the disk service; its answer comes before any other input."""
        self.msg_id += 1
        body = dict(body, msg_id=self.msg_id)
        write_all(json.dumps({"src": self.node_id, "dest": "raftsim", "body": body}) + "\n")
        answer = json.loads(read_line())
        assert answer["body"].get("in_reply_to") == self.msg_id, answer
        return answer["body"]

    def load(self):
        answer = self.request({"type": "disk_read"})
        records = answer["records"]
        if answer.get("corrupt"):
            # Acknowledged entries or a promised vote may be in a damaged record: believing it,
            # or dropping it, could break what others counted on. Refuse, as raftsim's own nodes do.
            raise CorruptDisk("refusing to start on a corrupt disk: records %s fail their checksum"
                              % ", ".join(sorted(answer["corrupt"])))
        try:
            saved = json.loads(records.get("meta", "null")) or {}
        except ValueError:
            saved = {}  # torn: never synced, so nothing depended on it
        term, voted_for, log = saved.get("term", 0), saved.get("voted_for"), []
        index = 1
        while "log.%d" % index in records:
            try:
                log.append(json.loads(records["log.%d" % index]))
            except ValueError:
                break
            index += 1
        stale = sum(1 for name in records if name.startswith("log."))
        # The first save writes nothing again but deletes the records past the log (a torn one
        # and whatever followed it).
        self.saved_meta, self.saved_len = (term, voted_for), max(stale, len(log))
        self.rewrite_from = len(log) + 1
        return term, voted_for, log

    def save(self, term, voted_for, log, rewrite_from):
        if (term, voted_for) != self.saved_meta:
            self.request({"type": "disk_write", "name": "meta",
                          "value": json.dumps({"term": term, "voted_for": voted_for})})
            self.saved_meta = (term, voted_for)
        first = min(self.saved_len + 1, self.rewrite_from,
                    rewrite_from if rewrite_from is not None else len(log) + 1)
        for index in range(first, len(log) + 1):
            self.request({"type": "disk_write", "name": "log.%d" % index,
                          "value": json.dumps(log[index - 1])})
        for index in range(len(log) + 1, self.saved_len + 1):
            self.request({"type": "disk_write", "name": "log.%d" % index, "value": None})
        self.request({"type": "disk_sync"})
        self.saved_len, self.rewrite_from = len(log), len(log) + 1


def write_all(text):
    data = text.encode()
    while data:
        data = data[os.write(1, data):]


# stdin is read raw, so that select() in the wall-clock loop sees what is still unread; what was
# read past the last whole line waits here.
_pending = b""


def read_line():
    """One line of stdin (b"" at its end)."""
    global _pending
    while b"\n" not in _pending:
        chunk = os.read(0, 1 << 16)
        if not chunk:
            return b""
        _pending += chunk
    line, _pending = _pending.split(b"\n", 1)
    return line


def read_lines(wait):
    """Whole lines of stdin that are already buffered or arrive within `wait` seconds (none if
    none do); None at its end."""
    global _pending
    if b"\n" not in _pending:
        ready, _, _ = select.select([0], [], [], wait)
        if ready:
            chunk = os.read(0, 1 << 16)
            if not chunk:
                return None
            _pending += chunk
    if b"\n" not in _pending:
        return []
    *lines, _pending = _pending.split(b"\n")
    return [line for line in lines if line.strip()]
