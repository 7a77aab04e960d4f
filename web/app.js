// The page's controller: one cursor (events applied, and the simulated time) drives every view.
'use strict';

(function main() {
  const $ = (id) => document.getElementById(id);
  const events = RUN.events;
  const end = events.length ? events[events.length - 1][T] : 0;
  const stamp = (what) => { (window.raftsimTimings ||= []).push([what, performance.now()]); };
  stamp('parsed');
  const replay = new Replay(events);
  stamp('replay');
  const flights = messageFlights(events);
  const { bands, faults } = faultBands(events, end);
  const ops = clientOps(events, end);
  const lines = narrationLines();
  stamp('derived');
  const verdict = RUN.verdict;

  // Where the run broke: the first safety violation's event, else the point past which the
  // failing key's operations have no order. `#linearizability` in the address asks for the
  // latter even when a safety property broke first (a stale read's rule breaks at the first read;
  // what it costs shows later).
  const lin = verdict && verdict.linearizability;
  const linFailed = lin && lin.verdict === 'not linearizable';
  const wantLin = linFailed && window.location.hash === '#linearizability';
  let violation = null;
  if (verdict && verdict.violations.length && !wantLin) {
    const v = verdict.violations[0];
    const index = RUN.violationEvents[0];
    violation = { count: index >= 0 ? index + 1 : replay.countAt(v.t_us), t: v.t_us, nodes: v.nodes, index: v.index, label: v.property };
  } else if (linFailed) {
    const t = lin.stuck.complete ?? lin.stuck.invoke;  // history times are the trace's microseconds
    violation = { count: replay.countAt(t), t, nodes: [], index: 0, label: 'no order past here (key ' + lin.key + ')' };
    const keyOps = new Set(RUN.history.filter((op) => op.key === lin.key).map((op) => op.client + ':' + op.invoke));
    for (const op of ops) if (keyOps.has(op.client + ':' + op.t0)) op.highlight = true;
  }

  const cursor = { count: 0, t: 0, playing: false, speed: 0.05, narrationLine: -1, state: null };
  const spacetime = new SpaceTime($('spacetime'), { flights, spans: roleSpans(events, end), ops, faults, bands, end },
    (t) => seekTime(t));
  if (violation) spacetime.marks.push({ t: violation.t, label: violation.label });

  function render() {
    const s = cursor.state;
    const involved = new Set(violation && cursor.count >= violation.count ? violation.nodes : []);
    drawRing($('ring'), s, flights, cursor.t, cursor.count, involved);
    drawLogs($('logs'), s, violation && cursor.count >= violation.count ? violation : null);
    spacetime.draw(cursor.t);
    cursor.narrationLine = stepNarration($('narration'), lines, cursor.count, cursor.narrationLine);
    $('slider').value = cursor.count;
    const e = events[cursor.count - 1];
    $('clock').textContent = `t = ${(cursor.t / 1e6).toFixed(6)}s · event ${cursor.count} / ${events.length}` +
      (e ? ` · ${RUN.kinds[e[KINDF]]}` : '');
    document.body.dataset.count = cursor.count;
  }

  // Seek to the state after `count` events, the clock at the last of them.
  function seek(count) {
    count = Math.max(0, Math.min(events.length, Math.round(count)));
    cursor.count = count;
    cursor.t = count > 0 ? events[count - 1][T] : 0;
    cursor.state = replay.stateAfter(count);
    render();
  }

  function seekTime(t) {
    t = Math.max(0, Math.min(end, t));
    const count = replay.countAt(t);
    if (count >= cursor.count && cursor.state && count - cursor.count < 2048) {
      for (let i = cursor.count; i < count; i++) applyEvent(cursor.state, events[i], i);
      cursor.state.i = count;
    } else {
      cursor.state = replay.stateAfter(count);
    }
    cursor.count = count;
    cursor.t = t;
    render();
  }

  let lastFrame = 0;
  function frame(now) {
    if (!cursor.playing) return;
    const dt = lastFrame ? Math.min(100, now - lastFrame) : 0;
    lastFrame = now;
    const t = cursor.t + dt * 1000 * cursor.speed;
    if (t >= end) { seekTime(end); setPlaying(false); return; }
    seekTime(t);
    requestAnimationFrame(frame);
  }

  function setPlaying(on) {
    cursor.playing = on;
    $('play').innerHTML = on ? '&#10074;&#10074;' : '&#9654;';
    lastFrame = 0;
    if (on) requestAnimationFrame(frame);
  }

  function setSpeed(step) {
    // A log scale: each step is 10^(1/10), from 10^-4 to 100 simulated seconds per second.
    step = Math.max(-40, Math.min(20, step));
    $('speed').value = step;
    cursor.speed = Math.pow(10, step / 10);
    $('speed-label').textContent = cursor.speed >= 1 ? `${cursor.speed.toPrecision(2)}×` : `1/${(1 / cursor.speed).toPrecision(2)}×`;
  }

  // Controls.
  $('slider').max = events.length;
  $('slider').addEventListener('input', (ev) => seek(Number(ev.target.value)));
  $('play').addEventListener('click', () => setPlaying(!cursor.playing));
  $('back').addEventListener('click', () => { setPlaying(false); seek(cursor.count - 1); });
  $('forward').addEventListener('click', () => { setPlaying(false); seek(cursor.count + 1); });
  $('speed').addEventListener('input', (ev) => setSpeed(Number(ev.target.value)));
  if (violation) {
    $('jump').hidden = false;
    $('jump').addEventListener('click', () => { setPlaying(false); seek(violation.count); });
  }
  document.addEventListener('keydown', (ev) => {
    if (ev.target.tagName === 'INPUT' && ev.target.type !== 'range') return;
    const big = ev.shiftKey ? 100 : 1;
    switch (ev.key) {
      case ' ': setPlaying(!cursor.playing); break;
      case 'ArrowRight': setPlaying(false); seek(cursor.count + big); break;
      case 'ArrowLeft': setPlaying(false); seek(cursor.count - big); break;
      case 'Home': seek(0); break;
      case 'End': seek(events.length); break;
      case '+': case '=': setSpeed(Number($('speed').value) + 2); break;
      case '-': setSpeed(Number($('speed').value) - 2); break;
      case 'v': if (violation) seek(violation.count); break;
      default: return;
    }
    ev.preventDefault();
  });
  window.addEventListener('resize', () => { spacetime.resize(); render(); });

  // Static parts.
  $('title').innerHTML = `<b>${esc(RUN.scenario)}</b> <span class="small">seed ${RUN.seed} · ${RUN.nodes.length} nodes · ${events.length} events · ${(end / 1e6).toFixed(1)}s ${RUN.mode && RUN.mode !== 'simulated' ? 'wall-clock' : 'simulated'}</span>` +
    (RUN.teaches ? `<div class="teaches">${esc(RUN.teaches.split('\n')[0])}</div>` : '');
  if (verdict) {
    $('badge').textContent = verdict.passed ? 'PASS' : 'FAIL';
    $('badge').className = verdict.passed ? 'pass' : 'fail';
    if (violation) $('badge').textContent += verdict.passed ? ' · expected violation' : ' · violation';
  }
  const notices = [];
  if (RUN.mode && RUN.mode !== 'simulated') {
    notices.push(`${RUN.mode === 'real' ? 'A real-mode' : 'An external-node'} run, in wall-clock time: ` +
      'the trace holds only what the runner saw from outside the nodes (roles, terms and commit ' +
      'indexes from their state reports, faults, client operations). Messages, votes, log ' +
      'entries and election timers are not known.');
    document.body.dataset.mode = RUN.mode;
  }
  if (RUN.notice) notices.push(RUN.notice);
  if (notices.length) { $('notice').hidden = false; $('notice').textContent = notices.join(' '); }
  $('verdict').innerHTML = verdictHtml(verdict);
  $('legend').innerHTML = legendHtml();
  stamp('static');
  drawNarration($('narration'), lines, seek);
  stamp('narration');
  setSpeed(Number($('speed').value));
  spacetime.resize();
  seek(violation ? violation.count : 0);
  stamp('first render');

  // A small read-only view of what the page shows, for tests and for the curious (console).
  window.raftsim = Object.freeze({
    eventCount: events.length,
    violationCount: violation ? violation.count : null,
    count: () => cursor.count,
    time: () => cursor.t,
    seek: (count) => { setPlaying(false); seek(count); return cursor.count; },
    nodes: () => [...document.querySelectorAll('#ring g.node')].map((g) => ({
      name: g.dataset.node, role: g.dataset.role, term: Number(g.dataset.term), commit: Number(g.dataset.commit),
    })),
  });
  document.body.dataset.loadMs = performance.now().toFixed(0);
  document.body.dataset.ready = 'true';
})();
