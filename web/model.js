// The replay model: the run's events replayed into per-node state, by checkpoints.
// Seeking to event i restores the last checkpoint at or before i and steps forward from there,
// so any seek costs at most CHECKPOINT_EVERY event applications.
'use strict';

(window.raftsimTimings ||= []).push(['script', performance.now()]);
const RUN = JSON.parse(document.getElementById('run-data').textContent);
// The events come compact (src/view/page.cc): each time as the difference from the previous
// event's, trailing zero fields left out. Restored once, here.
{
  let t = 0;
  for (const e of RUN.events) {
    t += e[0];
    e[0] = t;
    while (e.length < 9) e.push(0);
  }
}
const KIND = Object.fromEntries(RUN.kinds.map((name, i) => [name, i]));
const ROLES = ['follower', 'pre-candidate', 'candidate', 'leader'];
const MSG_APPEND = 4;
const MSG_APPEND_RESPONSE = 5;
const CHECKPOINT_EVERY = 256;

// Event fields, as inlined by the page generator: [t_us, kind, node, peer, a, b, c, d, flag, text].
const T = 0, KINDF = 1, NODE = 2, PEER = 3, A = 4, B = 5, C = 6, D = 7, FLAG = 8, TEXT = 9;

function nodeIdByName(name) {
  const i = RUN.nodes.indexOf(name);
  return i < 0 ? 0 : i + 1;
}

// "partition {n1 n2} | {n3}" -> [[1, 2], [3]]
function parseGroups(text) {
  const groups = [];
  for (const m of text.matchAll(/\{([^}]*)\}/g)) {
    groups.push(m[1].trim().split(/\s+/).map(nodeIdByName).filter((id) => id > 0));
  }
  return groups;
}

// "cut n1->n2 n3->n4" -> ['1>2', '3>4']; "every link" -> every ordered pair.
function parseLinks(text) {
  const n = RUN.nodes.length;
  if (text.includes('every link')) {
    const all = [];
    for (let a = 1; a <= n; a++) for (let b = 1; b <= n; b++) if (a !== b) all.push(a + '>' + b);
    return all;
  }
  const links = [];
  for (const m of text.matchAll(/(\S+)->(\S+)/g)) {
    const a = nodeIdByName(m[1]), b = nodeIdByName(m[2]);
    if (a && b) links.push(a + '>' + b);
  }
  return links;
}

function namesIn(text) {
  return text.split(/[\s,:()]+/).map(nodeIdByName).filter((id) => id > 0);
}

function freshNode() {
  return {
    role: 0, term: 0, leader: 0, vote: 0, commit: 0, applied: 0,
    down: false, downWhy: '', paused: false, lying: false, wiped: false,
    log: [0],  // log[i] = term of entry i; log[0] is the empty prefix
    snapshot: 0,  // entries through this index are compacted
    match: {}, next: {},
    discarded: null,  // {from, terms, event}: entries a truncation just removed
    // The election timer: fires at `timerAt` (us) after a timeout of `timerOf` (us); 0 = none
    // known (a leader, or a trace that does not record it). `pausedAt`: frozen since then.
    timerAt: 0, timerOf: 0, pausedAt: 0,
  };
}

function freshState() {
  return {
    i: 0,  // events applied
    nodes: RUN.nodes.map(freshNode),
    cuts: new Set(),  // 'a>b': messages from a to b are lost (partitions and one-way cuts)
    clogs: new Set(),  // 'a>b': held until unclogged
    lastFault: '',
  };
}

function cloneState(s) {
  return {
    i: s.i,
    nodes: s.nodes.map((n) => ({ ...n, log: n.log.slice(), match: { ...n.match }, next: { ...n.next } })),
    cuts: new Set(s.cuts),
    clogs: new Set(s.clogs),
    lastFault: s.lastFault,
  };
}

function setLength(node, length) {
  if (node.log.length > length + 1) node.log.length = length + 1;
  while (node.log.length < length + 1) node.log.push(0);
}

// Extends node's log through `last` with the leader's terms where known, else `term`.
function fillFrom(node, leader, last, term) {
  for (let idx = node.log.length; idx <= last; idx++) {
    node.log.push(leader && idx < leader.log.length && leader !== node ? leader.log[idx] : term);
  }
}

function applyFault(s, text, t) {
  s.lastFault = text;
  const n = RUN.nodes.length;
  if (text.startsWith('partition')) {
    const groups = parseGroups(text);
    const group = new Map();
    groups.forEach((g, gi) => g.forEach((id) => group.set(id, gi)));
    s.cuts = new Set();
    for (let a = 1; a <= n; a++) {
      for (let b = 1; b <= n; b++) {
        if (a !== b && (!group.has(a) || !group.has(b) || group.get(a) !== group.get(b))) s.cuts.add(a + '>' + b);
      }
    }
  } else if (text.startsWith('cut ')) {
    parseLinks(text).forEach((l) => s.cuts.add(l));
  } else if (text.startsWith('heal')) {
    s.cuts = new Set();
    s.clogs = new Set();
  } else if (text.startsWith('clog ')) {
    parseLinks(text).forEach((l) => s.clogs.add(l));
  } else if (text.startsWith('unclog ')) {
    parseLinks(text).forEach((l) => s.clogs.delete(l));
  } else if (text.startsWith('pause ')) {
    namesIn(text.slice(6)).forEach((id) => { s.nodes[id - 1].paused = true; s.nodes[id - 1].pausedAt = t; });
  } else if (text.startsWith('resume ')) {
    namesIn(text.slice(7)).forEach((id) => { s.nodes[id - 1].paused = false; });
  } else if (text.startsWith('wipe the disk of ')) {
    namesIn(text.slice(17).replace(/\(.*$/, '')).forEach((id) => {
      const node = s.nodes[id - 1];
      node.log = [0];
      node.snapshot = 0;
      node.wiped = true;
    });
  } else if (/ starts lying/.test(text)) {
    namesIn(text.split(' starts lying')[0]).forEach((id) => { s.nodes[id - 1].lying = true; });
  } else if (/ stops lying/.test(text)) {
    namesIn(text.split(' stops lying')[0]).forEach((id) => { s.nodes[id - 1].lying = false; });
  }
}

// The log model: the trace does not list entries, so each node's log is rebuilt from what the
// messages say. A leader's AppendEntries past its log's end carries entries of its own term; a
// follower that acknowledges index m holds the leader's entries up to m (Log Matching); a
// truncation removes a suffix; a snapshot covers a prefix.
function applyMessage(s, e) {
  if (e[KINDF] !== KIND.send) return;
  const from = s.nodes[e[NODE] - 1];
  if (!from) return;
  if (e[A] === MSG_APPEND) {  // only a leader sends it (its role event may come just after)
    const last = e[C] + e[D];
    while (from.log.length < last + 1) from.log.push(e[B]);
    from.next[e[PEER]] = last + 1;
  } else if (e[A] === MSG_APPEND_RESPONSE && !e[FLAG]) {
    const leader = s.nodes[e[PEER] - 1];
    const match = e[C];
    if (!leader) return;
    fillFrom(from, leader, match, e[B]);
    if (from.wiped && match > 0) from.wiped = false;
  }
}

function applyDelivery(s, e) {
  // The leader learns a follower's match index when the acknowledgement arrives.
  if (e[KINDF] !== KIND.deliver || e[A] !== MSG_APPEND_RESPONSE) return;
  const leader = s.nodes[e[PEER] - 1];
  if (!leader || leader.role !== 3) return;
  if (e[FLAG]) leader.next[e[NODE]] = Math.max(1, e[C] + 1);
  else leader.match[e[NODE]] = Math.max(leader.match[e[NODE]] || 0, e[C]);
}

function applyEvent(s, e, index) {
  const node = s.nodes[e[NODE] - 1];
  switch (e[KINDF]) {
    case KIND.role:
      // A leader's progress table belongs to its term (its first sends come before its role).
      if (e[B] !== node.term) { node.match = {}; node.next = {}; }
      node.role = e[A];
      node.term = e[B];
      node.leader = e[PEER];
      break;
    case KIND.term:
      if (e[B] !== node.term) { node.match = {}; node.next = {}; }
      node.term = e[B];
      break;
    case KIND.vote:
      node.vote = e[PEER];
      break;
    case KIND.commit:
      // A commit can be traced before the acknowledgement that shows the entries arrived: take
      // them from the node's leader.
      node.commit = e[A];
      fillFrom(node, s.nodes[node.leader - 1], e[A], e[B]);
      node.log[e[A]] = e[B];
      break;
    case KIND.apply:
      node.applied = e[A];
      break;
    case KIND.truncate:
      node.discarded = { from: e[A], terms: node.log.slice(e[A], e[B] + 1), event: index };
      setLength(node, e[A] - 1);
      break;
    case KIND.snapshot:
      node.snapshot = Math.max(node.snapshot, e[A]);
      fillFrom(node, s.nodes[node.leader - 1], e[A], e[B]);
      break;
    case KIND.down:
      node.down = true;
      node.downWhy = e[TEXT] || 'crashed';
      node.role = 0;
      node.paused = false;
      node.timerAt = 0;
      break;
    case KIND.up:
      node.down = false;
      node.downWhy = '';
      break;
    case KIND.fault:
      if (!e[NODE]) applyFault(s, e[TEXT] || '', e[T]);
      break;
    case KIND.timer:
      node.timerAt = e[A];
      node.timerOf = e[B];
      break;
    case KIND.send:
      applyMessage(s, e);
      break;
    case KIND.deliver:
      applyDelivery(s, e);
      break;
    default:
      break;
  }
}

class Replay {
  constructor(events) {
    this.events = events;
    this.checkpoints = [];
    const s = freshState();
    for (let i = 0; i < events.length; i++) {
      if (i % CHECKPOINT_EVERY === 0) this.checkpoints.push(cloneState(s));
      applyEvent(s, events[i], i);
      s.i = i + 1;
    }
    this.final = s;
  }

  // The state after the first `count` events.
  stateAfter(count) {
    count = Math.max(0, Math.min(count, this.events.length));
    const cp = this.checkpoints[Math.floor(count / CHECKPOINT_EVERY)];
    const s = cp ? cloneState(cp) : cloneState(this.final);
    if (!cp) return s;
    for (let i = s.i; i < count; i++) applyEvent(s, this.events[i], i);
    s.i = count;
    return s;
  }

  // The number of events at or before time t (microseconds).
  countAt(t) {
    let lo = 0, hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.events[mid][T] <= t) lo = mid + 1; else hi = mid;
    }
    return lo;
  }
}

// Each message's flight, from its send (or network duplicate) to its delivery or drop: the
// earliest unmatched send on the same link with the same type, term, index, entries and flag.
// Returns the flights in send order, with `longest`: the longest finished flight (to bound
// searches by time).
function messageFlights(events) {
  const open = new Map();  // link -> flights not yet ended, oldest first
  const flights = [];
  const same = (f, e) => f.type === e[A] && f.term === e[B] && f.index === e[C] && f.entries === e[D] && f.reject === e[FLAG];
  let longest = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const k = e[KINDF];
    if (k === KIND.send || k === KIND.duplicate) {
      const f = { start: i, end: -1, from: e[NODE], to: e[PEER], type: e[A], term: e[B], index: e[C], entries: e[D], reject: e[FLAG], t0: e[T], t1: Infinity, dropped: false, why: '' };
      flights.push(f);
      const link = e[NODE] * 4096 + e[PEER];
      const q = open.get(link);
      if (q) q.push(f); else open.set(link, [f]);
    } else if (k === KIND.deliver || k === KIND.drop) {
      const q = open.get(e[NODE] * 4096 + e[PEER]);
      if (!q) continue;
      const at = q.findIndex((f) => same(f, e));
      if (at < 0) continue;
      const f = q[at];
      q.splice(at, 1);
      f.end = i;
      f.t1 = e[T];
      f.dropped = k === KIND.drop;
      f.why = e[TEXT] || '';
      longest = Math.max(longest, f.t1 - f.t0);
    }
  }
  const unended = flights.filter((f) => f.end === -1);
  return { all: flights, longest, unended };
}

// The index of the first flight sent at or after time t.
function firstFlightFrom(flights, t) {
  let lo = 0, hi = flights.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (flights[mid].t0 < t) lo = mid + 1; else hi = mid;
  }
  return lo;
}

// Per node, its role over time: [{t0, t1, role, term, down}].
function roleSpans(events, end) {
  const spans = RUN.nodes.map(() => []);
  const current = RUN.nodes.map(() => ({ t0: 0, role: 0, term: 0, down: false }));
  const close = (id, t) => {
    const c = current[id];
    if (t > c.t0) spans[id].push({ t0: c.t0, t1: t, role: c.role, term: c.term, down: c.down });
  };
  for (const e of events) {
    const id = e[NODE] - 1;
    const k = e[KINDF];
    if (k !== KIND.role && k !== KIND.term && k !== KIND.down && k !== KIND.up) continue;
    if (id < 0 || id >= RUN.nodes.length) continue;
    close(id, e[T]);
    const c = current[id];
    c.t0 = e[T];
    if (k === KIND.role) { c.role = e[A]; c.term = e[B]; c.down = false; }
    else if (k === KIND.term) c.term = e[B];
    else if (k === KIND.down) { c.down = true; c.role = 0; }
    else c.down = false;
  }
  RUN.nodes.forEach((_, id) => close(id, end));
  return spans;
}

// Client operations from the trace: [{client, t0, t1, text, outcome}].
function clientOps(events, end) {
  const open = new Map();
  const ops = [];
  for (const e of events) {
    if (e[KINDF] === KIND.invoke) {
      const op = { client: e[NODE], t0: e[T], t1: end, text: e[TEXT] || '', outcome: 'pending' };
      open.set(e[NODE] + ':' + e[A], op);
      ops.push(op);
    } else if (e[KINDF] === KIND.complete) {
      const op = open.get(e[NODE] + ':' + e[A]);
      if (!op) continue;
      op.t1 = e[T];
      op.text = e[TEXT] || op.text;
      op.outcome = !e[FLAG] ? 'unknown' : /\b(fail|failed|error|not leader)\b/.test(op.text) ? 'fail' : 'ok';
      open.delete(e[NODE] + ':' + e[A]);
    }
  }
  for (const op of open.values()) op.outcome = 'unknown';
  return ops;
}

// A colour per term, far apart for neighbouring terms.
// What is left of a node's election timer at time t, as a fraction of its timeout (null: none
// known). A paused node's timer stands still where the pause found it.
function timerLeft(node, t) {
  if (node.down || !node.timerAt || !node.timerOf) return null;
  const now = node.paused ? Math.min(t, node.pausedAt) : t;
  return Math.max(0, Math.min(1, (node.timerAt - now) / node.timerOf));
}

function termColor(term, light) {
  if (!term) return light ? '#e6e8ec' : '#9aa0a8';
  const hue = (term * 137.508 + 200) % 360;
  return light ? `hsl(${hue} 70% 86%)` : `hsl(${hue} 62% 48%)`;
}
