// The space-time (Lamport) diagram, to scale: one lane per node (its role and term over time),
// message arrows between lanes, faults as bands and marks, client operations per client below.
'use strict';

const LANE = 34, CLIENT_LANE = 13, AXIS = 22, LABEL_W = 64;

class SpaceTime {
  constructor(canvas, model, onSeek) {
    this.canvas = canvas;
    this.model = model;  // {flights, spans, ops, faults, bands, end}
    this.onSeek = onSeek;
    this.span = 400000;  // microseconds across the view
    this.center = 0;
    this.follow = true;
    this.clients = [...new Set(model.ops.map((o) => o.client))].sort((a, b) => a - b);
    this.marks = [];  // [{t, label}] e.g. the violation
    this.installHandlers();
  }

  installHandlers() {
    const c = this.canvas;
    c.addEventListener('wheel', (ev) => {
      ev.preventDefault();
      const factor = Math.pow(1.2, Math.sign(ev.deltaY));
      this.span = Math.min(Math.max(this.span * factor, 200), Math.max(this.model.end, 1000) * 1.2);
      this.draw(this.lastT);
    }, { passive: false });
    let drag = null;
    c.addEventListener('mousedown', (ev) => { drag = { x: ev.clientX, center: this.center, moved: false }; });
    window.addEventListener('mousemove', (ev) => {
      if (!drag) return;
      const dx = ev.clientX - drag.x;
      if (Math.abs(dx) > 3) drag.moved = true;
      if (!drag.moved) return;
      this.follow = false;
      this.center = drag.center - (dx * this.span) / this.plotWidth();
      this.draw(this.lastT);
    });
    window.addEventListener('mouseup', (ev) => {
      if (drag && !drag.moved && ev.target === c) {
        const rect = c.getBoundingClientRect();
        const x = ev.clientX - rect.left;
        if (x > LABEL_W) this.onSeek(this.timeAt(x));
      }
      drag = null;
    });
    c.addEventListener('dblclick', () => { this.follow = true; this.draw(this.lastT); });
  }

  plotWidth() { return Math.max(50, this.width - LABEL_W - 8); }
  xAt(t) { return LABEL_W + ((t - (this.center - this.span / 2)) / this.span) * this.plotWidth(); }
  timeAt(x) { return this.center - this.span / 2 + ((x - LABEL_W) / this.plotWidth()) * this.span; }
  laneY(id) { return AXIS + (id - 1) * LANE + LANE / 2; }
  clientY(client) { return AXIS + RUN.nodes.length * LANE + 10 + this.clients.indexOf(client) * CLIENT_LANE; }

  resize() {
    const ratio = window.devicePixelRatio || 1;
    this.width = this.canvas.parentElement.clientWidth - 24;
    this.height = AXIS + RUN.nodes.length * LANE + 16 + this.clients.length * CLIENT_LANE;
    this.canvas.width = this.width * ratio;
    this.canvas.height = this.height * ratio;
    this.canvas.style.width = this.width + 'px';
    this.canvas.style.height = this.height + 'px';
    this.ratio = ratio;
  }

  draw(t) {
    this.lastT = t;
    if (this.follow) this.center = t;
    const g = this.canvas.getContext('2d');
    g.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    g.clearRect(0, 0, this.width, this.height);
    g.font = '11px system-ui, sans-serif';
    const t0 = this.center - this.span / 2, t1 = this.center + this.span / 2;
    this.drawLanes(g);
    this.drawBands(g, t0, t1);
    this.drawRoles(g, t0, t1);
    this.drawMessages(g, t0, t1);
    this.drawOps(g, t0, t1);
    this.drawAxis(g, t0, t1);
    for (const m of this.marks) this.drawMark(g, m.t, m.label, '#c0392b', t0, t1);
    this.drawMark(g, t, '', '#111', t0, t1);
  }

  drawLanes(g) {
    for (let id = 1; id <= RUN.nodes.length; id++) {
      g.fillStyle = id % 2 ? '#fafbfc' : '#f1f3f6';
      g.fillRect(0, AXIS + (id - 1) * LANE, this.width, LANE);
      g.fillStyle = '#222';
      g.font = 'bold 12px system-ui, sans-serif';
      g.fillText(RUN.nodes[id - 1], 8, this.laneY(id) + 4);
    }
    g.font = '10px system-ui, sans-serif';
    g.fillStyle = '#555';
    if (this.clients.length) g.fillText('clients', 8, this.clientY(this.clients[0]) + 4);
  }

  clipX(x) { return Math.max(LABEL_W, Math.min(this.width, x)); }

  drawBands(g, t0, t1) {
    for (const b of this.model.bands) {
      if (b.t1 < t0 || b.t0 > t1) continue;
      const x0 = this.clipX(this.xAt(b.t0)), x1 = this.clipX(this.xAt(b.t1));
      g.fillStyle = b.color;
      if (b.node) g.fillRect(x0, this.laneY(b.node) - LANE / 2, x1 - x0, LANE);
      else g.fillRect(x0, AXIS, x1 - x0, RUN.nodes.length * LANE);
    }
    for (const f of this.model.faults) {
      if (f.t < t0 || f.t > t1) continue;
      const x = this.xAt(f.t);
      g.strokeStyle = '#e67e22';
      g.setLineDash([4, 3]);
      g.beginPath(); g.moveTo(x, AXIS); g.lineTo(x, AXIS + RUN.nodes.length * LANE); g.stroke();
      g.setLineDash([]);
    }
  }

  drawRoles(g, t0, t1) {
    this.model.spans.forEach((spans, i) => {
      const y = this.laneY(i + 1);
      for (const s of spans) {
        if (s.t1 < t0 || s.t0 > t1) continue;
        const x0 = this.clipX(this.xAt(s.t0)), x1 = this.clipX(this.xAt(s.t1));
        const h = s.role === 3 ? 16 : s.role === 0 ? 6 : 11;
        g.fillStyle = s.down ? '#bdc3c7' : termColor(s.term, s.role !== 3);
        g.fillRect(x0, y - h / 2, Math.max(1, x1 - x0), h);
        if (s.role === 3 && x1 - x0 > 60) {
          g.fillStyle = '#fff';
          g.fillText('leader t' + s.term, x0 + 4, y + 4);
        } else if (s.down && x1 - x0 > 50) {
          g.fillStyle = '#333';
          g.fillText('down', x0 + 4, y + 4);
        }
      }
    });
  }

  drawMessages(g, t0, t1) {
    let drawn = 0;
    const flights = this.model.flights;
    const from = firstFlightFrom(flights.all, t0 - flights.longest);
    for (const f of flights.unended.filter((u) => u.t0 < t0).concat(flights.all.slice(from))) {
      if (f.t0 > t1) break;
      const end = f.t1 === Infinity ? this.model.end : f.t1;
      if (end < t0) continue;
      if (++drawn > 4000) break;
      const style = MESSAGE_STYLE[f.type] || MESSAGE_STYLE[0];
      const x0 = this.xAt(f.t0), y0 = this.laneY(f.from);
      const x1 = this.xAt(end), y1 = this.laneY(f.to);
      const xe = f.dropped ? x0 + (x1 - x0) * 0.5 : x1, ye = f.dropped ? y0 + (y1 - y0) * 0.5 : y1;
      g.strokeStyle = style.color;
      g.globalAlpha = 0.75;
      g.beginPath(); g.moveTo(x0, y0); g.lineTo(xe, ye); g.stroke();
      g.globalAlpha = 1;
      if (f.dropped) {
        g.strokeStyle = '#c0392b';
        g.beginPath(); g.moveTo(xe - 3, ye - 3); g.lineTo(xe + 3, ye + 3); g.moveTo(xe - 3, ye + 3); g.lineTo(xe + 3, ye - 3); g.stroke();
      } else if (x1 - x0 > 6 || Math.abs(y1 - y0) > 6) {
        const a = Math.atan2(y1 - y0, x1 - x0);
        g.fillStyle = style.color;
        g.beginPath();
        g.moveTo(x1, y1);
        g.lineTo(x1 - 6 * Math.cos(a - 0.4), y1 - 6 * Math.sin(a - 0.4));
        g.lineTo(x1 - 6 * Math.cos(a + 0.4), y1 - 6 * Math.sin(a + 0.4));
        g.fill();
      }
    }
  }

  drawOps(g, t0, t1) {
    const colors = { ok: '#27ae60', fail: '#c0392b', unknown: '#e67e22', pending: '#95a5a6' };
    for (const op of this.model.ops) {
      if (op.t1 < t0 || op.t0 > t1) continue;
      const x0 = this.clipX(this.xAt(op.t0)), x1 = this.clipX(this.xAt(op.t1));
      g.fillStyle = op.highlight ? '#8e44ad' : colors[op.outcome];
      g.fillRect(x0, this.clientY(op.client) - 4, Math.max(2, x1 - x0 - 1), op.highlight ? 10 : 8);
    }
  }

  drawAxis(g, t0, t1) {
    g.fillStyle = '#fff';
    g.fillRect(0, 0, this.width, AXIS);
    const step = niceStep(this.span / 8);
    g.fillStyle = '#444';
    g.strokeStyle = '#ccc';
    g.font = '10px system-ui, sans-serif';
    for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
      const x = this.xAt(t);
      if (x < LABEL_W) continue;
      g.beginPath(); g.moveTo(x, AXIS - 4); g.lineTo(x, AXIS); g.stroke();
      g.fillText(formatTime(t, step), x + 2, 12);
    }
  }

  drawMark(g, t, label, color, t0, t1) {
    if (t < t0 || t > t1) return;
    const x = this.xAt(t);
    g.strokeStyle = color;
    g.lineWidth = label ? 2 : 1.5;
    g.beginPath(); g.moveTo(x, AXIS - 6); g.lineTo(x, this.height); g.stroke();
    g.lineWidth = 1;
    if (label) {
      g.fillStyle = color;
      g.font = 'bold 11px system-ui, sans-serif';
      g.fillText(label, x + 4, AXIS + 10);
    }
  }
}

function niceStep(raw) {
  const p = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1))));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function formatTime(us, step) {
  const digits = step >= 1e6 ? 0 : step >= 1e5 ? 1 : step >= 1e4 ? 2 : step >= 1e3 ? 3 : 6;
  return (us / 1e6).toFixed(digits) + 's';
}

// Fault bands: network faults from their start to the heal, crashes and pauses on their node.
function faultBands(events, end) {
  const bands = [];
  const faults = [];
  let network = null;
  const down = new Map(), paused = new Map();
  for (const e of events) {
    const k = e[KINDF];
    if (k === KIND.fault && !e[NODE]) {
      const text = e[TEXT] || '';
      faults.push({ t: e[T], text });
      if (/^(partition|cut |clog )/.test(text)) { if (!network) network = e[T]; }
      else if (text.startsWith('heal') && network !== null) { bands.push({ t0: network, t1: e[T], color: 'rgba(231,76,60,0.08)' }); network = null; }
      if (text.startsWith('pause ')) namesIn(text.slice(6)).forEach((id) => paused.set(id, e[T]));
      if (text.startsWith('resume ')) namesIn(text.slice(7)).forEach((id) => {
        if (paused.has(id)) bands.push({ node: id, t0: paused.get(id), t1: e[T], color: 'rgba(241,196,15,0.25)' });
        paused.delete(id);
      });
    } else if (k === KIND.down) down.set(e[NODE], e[T]);
    else if (k === KIND.up && down.has(e[NODE])) {
      bands.push({ node: e[NODE], t0: down.get(e[NODE]), t1: e[T], color: 'rgba(127,140,141,0.25)' });
      down.delete(e[NODE]);
    }
  }
  if (network !== null) bands.push({ t0: network, t1: end, color: 'rgba(231,76,60,0.08)' });
  for (const [id, t] of down) bands.push({ node: id, t0: t, t1: end, color: 'rgba(127,140,141,0.25)' });
  for (const [id, t] of paused) bands.push({ node: id, t0: t, t1: end, color: 'rgba(241,196,15,0.25)' });
  return { bands, faults };
}
