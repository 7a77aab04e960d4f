// The cluster as a ring: each node coloured by its term, its role written inside; links broken
// where a partition or a one-way cut holds; messages in flight as dots moving along the links.
'use strict';

const RING = { cx: 220, cy: 222, r: 158, nodeR: 40 };
const MESSAGE_STYLE = [
  { short: 'RV', color: '#8e44ad' },   // VoteRequest
  { short: 'V', color: '#c39bd3' },    // VoteResponse
  { short: 'PV', color: '#b9770e' },   // PreVoteRequest
  { short: 'pv', color: '#f0b27a' },   // PreVoteResponse
  { short: 'AE', color: '#2471a3' },   // AppendEntries
  { short: 'ok', color: '#229954' },   // AppendResponse
  { short: 'TN', color: '#cb4335' },   // TimeoutNow
  { short: 'IS', color: '#17202a' },   // InstallSnapshot
];

function nodePos(id) {
  const n = RUN.nodes.length;
  const angle = -Math.PI / 2 + (2 * Math.PI * (id - 1)) / n;
  return { x: RING.cx + RING.r * Math.cos(angle), y: RING.cy + RING.r * Math.sin(angle) };
}

// A point `p` of the way from node a's rim to node b's rim.
function along(a, b, p) {
  const A = nodePos(a), B = nodePos(b);
  const dx = B.x - A.x, dy = B.y - A.y, len = Math.hypot(dx, dy);
  const rim = (RING.nodeR + 4) / len;
  const q = rim + (1 - 2 * rim) * Math.min(1, Math.max(0, p));
  return { x: A.x + dx * q, y: A.y + dy * q };
}

function esc(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

function linksSvg(state) {
  const n = RUN.nodes.length;
  let out = '';
  for (let a = 1; a <= n; a++) {
    for (let b = a + 1; b <= n; b++) {
      const ab = state.cuts.has(a + '>' + b), ba = state.cuts.has(b + '>' + a);
      const clog = state.clogs.has(a + '>' + b) || state.clogs.has(b + '>' + a);
      const A = along(a, b, 0), B = along(a, b, 1);
      if (!ab && !ba) {
        out += `<line class="link${clog ? ' clogged' : ''}" x1="${A.x}" y1="${A.y}" x2="${B.x}" y2="${B.y}"/>`;
        continue;
      }
      // Broken: a gap, with a cross on the side of each direction that is cut (both: the middle).
      const M1 = along(a, b, 0.4), M2 = along(a, b, 0.6);
      out += `<line class="link cut" x1="${A.x}" y1="${A.y}" x2="${M1.x}" y2="${M1.y}"/>`;
      out += `<line class="link cut" x1="${M2.x}" y1="${M2.y}" x2="${B.x}" y2="${B.y}"/>`;
      const title = ab && ba ? `${RUN.nodes[a - 1]} and ${RUN.nodes[b - 1]} cut off from each other`
        : ab ? `${RUN.nodes[a - 1]}→${RUN.nodes[b - 1]} cut` : `${RUN.nodes[b - 1]}→${RUN.nodes[a - 1]} cut`;
      out += crossSvg(along(a, b, ab && ba ? 0.5 : ab ? 0.56 : 0.44), title, ab && ba ? 4 : 3.5);
    }
  }
  return out;
}

function crossSvg(p, title, size) {
  const s = size || 5;
  return `<g class="cross"><title>${esc(title)}</title><line x1="${p.x - s}" y1="${p.y - s}" x2="${p.x + s}" y2="${p.y + s}"/><line x1="${p.x - s}" y1="${p.y + s}" x2="${p.x + s}" y2="${p.y - s}"/></g>`;
}

function nodeSvg(state, id, highlighted, t) {
  const node = state.nodes[id - 1];
  const p = nodePos(id);
  const name = RUN.nodes[id - 1];
  const leader = node.role === 3 && !node.down;
  const role = node.down ? 'crashed' : ROLES[node.role];
  const fill = node.down || node.paused ? '#d5d8dc' : termColor(node.term, !leader);
  const classes = ['node', role.replace(' ', '-')];
  if (node.paused) classes.push('paused');
  if (node.lying) classes.push('lying');
  if (highlighted) classes.push('involved');
  const status = node.down ? node.downWhy : node.paused ? 'paused' : node.wiped ? 'wiped' : node.lying ? 'lies' : '';
  const left = timerLeft(node, t);
  let out = `<g class="${classes.join(' ')}" data-node="${esc(name)}" data-role="${esc(role)}" data-term="${node.term}" data-commit="${node.commit}" data-down="${node.down}" data-paused="${node.paused}" data-timer="${left === null ? '' : left.toFixed(3)}">`;
  out += `<title>${esc(name)}: ${esc(role)}, term ${node.term}, commit ${node.commit}, last index ${node.log.length - 1}${node.vote ? ', voted for ' + esc(RUN.nodes[node.vote - 1] || '?') : ''}</title>`;
  if (leader) out += `<circle class="crown" cx="${p.x}" cy="${p.y}" r="${RING.nodeR + 7}"/>`;
  out += timerSvg(node, p, t);
  out += `<circle class="body" cx="${p.x}" cy="${p.y}" r="${RING.nodeR}" fill="${fill}"/>`;
  out += `<text class="name" x="${p.x}" y="${p.y - 10}">${esc(name)}</text>`;
  out += `<text class="term" x="${p.x}" y="${p.y + 7}">term ${node.term}</text>`;
  out += `<text class="role" x="${p.x}" y="${p.y + 22}">${esc(role)}</text>`;
  if (status && status !== role) {
    out += `<text class="status" x="${p.x}" y="${p.y + RING.nodeR + 18}">${esc(status.length > 28 ? status.slice(0, 27) + '…' : status)}</text>`;
  }
  if (node.down) out += crossSvg({ x: p.x + 26, y: p.y - 26 }, 'crashed');
  return out + '</g>';
}

// The election timer as RaftScope draws it: an arc around the node, full when just reset, gone
// when the timer fires.
function timerSvg(node, p, t) {
  const left = timerLeft(node, t);
  if (left === null) return '';
  const r = RING.nodeR + 5, c = 2 * Math.PI * r;
  const fires = ((node.timerAt - (node.paused ? node.pausedAt : t)) / 1000).toFixed(0);
  return `<circle class="timer" cx="${p.x}" cy="${p.y}" r="${r}" stroke-dasharray="${(c * left).toFixed(1)} ${c.toFixed(1)}" transform="rotate(-90 ${p.x} ${p.y})"><title>election timer: ${node.paused ? 'stopped (paused), ' : ''}fires in ${fires} ms of ${(node.timerOf / 1000).toFixed(0)}</title></circle>`;
}

function messagesSvg(flights, t, count) {
  let out = '';
  const live = [];
  const DROP_SHOWN_FOR = 4000;
  const from = firstFlightFrom(flights.all, t - flights.longest - DROP_SHOWN_FOR);
  const candidates = flights.unended.filter((f) => f.start < from).concat(flights.all.slice(from));
  for (const f of candidates) {
    if (f.start >= count) break;
    if (f.end !== -1 && f.end < count) {
      // Dropped recently: a red cross where it vanished.
      if (f.dropped && t - f.t1 < DROP_SHOWN_FOR) live.push({ f, p: f.why === 'partitioned' ? 0.15 : 0.5, dropped: true });
      continue;
    }
    const span = f.t1 === Infinity ? 1000 : Math.max(1, f.t1 - f.t0);
    live.push({ f, p: (t - f.t0) / span, dropped: false });
  }
  const labels = live.length <= 40;
  for (const { f, p, dropped } of live) {
    if (f.from < 1 || f.to < 1 || f.from > RUN.nodes.length || f.to > RUN.nodes.length) continue;
    const at = along(f.from, f.to, p);
    const style = MESSAGE_STYLE[f.type] || MESSAGE_STYLE[0];
    if (dropped) {
      out += crossSvg(at, 'dropped: ' + (f.why || ''));
      continue;
    }
    out += `<circle class="msg" cx="${at.x.toFixed(1)}" cy="${at.y.toFixed(1)}" r="5" fill="${style.color}"><title>${esc(RUN.messageTypes[f.type])} ${esc(RUN.nodes[f.from - 1])}→${esc(RUN.nodes[f.to - 1])}</title></circle>`;
    if (labels) out += `<text class="msg-label" x="${(at.x + 7).toFixed(1)}" y="${(at.y - 5).toFixed(1)}">${style.short}</text>`;
  }
  return { svg: out, count: live.length };
}

function drawRing(svg, state, flights, t, count, involved) {
  const msgs = messagesSvg(flights, t, count);
  let nodes = '';
  for (let id = 1; id <= RUN.nodes.length; id++) nodes += nodeSvg(state, id, involved.has(id), t);
  const fault = state.lastFault ? `<text class="fault-line" x="220" y="18">last fault: ${esc(state.lastFault.length > 60 ? state.lastFault.slice(0, 59) + '…' : state.lastFault)}</text>` : '';
  svg.innerHTML = fault + linksSvg(state) + nodes + msgs.svg;
}

function legendHtml() {
  const types = MESSAGE_STYLE.map((s, i) => `<span><i style="background:${s.color}"></i>${esc(RUN.messageTypes[i])}</span>`).join('');
  return `${types}<span><b class="x">✕</b>dropped / cut</span><span><b class="arc">◔</b>election timer left</span>`;
}
