// Each node's log as a strip of entries coloured by term: solid once committed, pale until then,
// faded where a snapshot compacted it; entries a truncation just discarded shown struck out.
// Below the leader: its match and next index per follower.
'use strict';

const DISCARD_SHOWN_FOR = 200;  // events

// The indices shown: every node's last entry when they fit (so diverging logs show side by
// side), else the newest entries.
function logWindow(state, width, focus) {
  let last = 1, lowest = Infinity;
  for (const n of state.nodes) {
    last = Math.max(last, n.log.length - 1);
    if (n.discarded) last = Math.max(last, n.discarded.from + n.discarded.terms.length - 1);
    if (!n.down) lowest = Math.min(lowest, n.log.length - 1);
  }
  const room = Math.max(100, width - 150);
  const want = last - Math.max(1, Math.min(lowest, last) - 3) + 1;
  const cell = Math.max(5, Math.min(15, Math.floor(room / Math.max(1, want))));
  const cells = Math.floor(room / cell);
  // A violation's entry stays in view, a third of the way in.
  const lo = focus && focus < last - cells + 1 ? Math.max(1, focus - Math.floor(cells / 3)) : Math.max(1, last - cells + 1);
  return { lo, hi: lo + cells - 1, cell };
}

function cellHtml(cls, term, index, title, width) {
  const bg = cls.includes('committed') ? termColor(term, false) : termColor(term, true);
  const text = width < 12 ? '' : term ? term % 100 : '?';  // 0: a term the trace does not know
  return `<span class="cell ${cls}" style="background:${bg};width:${width - 1}px" title="${esc(title)}" data-index="${index}">${text}</span>`;
}

function logRowHtml(state, id, win, violation) {
  const node = state.nodes[id - 1];
  const name = RUN.nodes[id - 1];
  const role = node.down ? 'crashed' : ROLES[node.role];
  let cells = '';
  const discarded = node.discarded && state.i - node.discarded.event <= DISCARD_SHOWN_FOR ? node.discarded : null;
  for (let i = win.lo; i <= win.hi; i++) {
    if (i < node.log.length) {
      const term = node.log[i];
      const cls = ['entry'];
      if (i <= node.snapshot) cls.push('compacted');
      if (i <= node.commit) cls.push('committed');
      if (violation && violation.nodes.includes(id) && violation.index === i) cls.push('involved');
      cells += cellHtml(cls.join(' '), term, i, `${name} entry ${i}, term ${term || 'unknown'}${i <= node.commit ? ', committed' : ''}`, win.cell);
    } else if (discarded && i >= discarded.from && i < discarded.from + discarded.terms.length) {
      const term = discarded.terms[i - discarded.from];
      cells += cellHtml('entry discarded', term, i, `${name} entry ${i} (term ${term}) discarded`, win.cell);
    } else {
      cells += `<span class="cell empty" style="width:${win.cell - 1}px"></span>`;
    }
  }
  let progress = '';
  if (node.role === 3 && !node.down) {
    const parts = [];
    for (let peer = 1; peer <= RUN.nodes.length; peer++) {
      if (peer === id) continue;
      const m = node.match[peer], n = node.next[peer];
      parts.push(`${esc(RUN.nodes[peer - 1])}: match ${m === undefined ? '?' : m} · next ${n === undefined ? '?' : n}`);
    }
    progress = `<div class="progress">${parts.join('<span class="sep">|</span>')}</div>`;
  }
  const involved = violation && violation.nodes.includes(id) ? ' involved' : '';
  return `<div class="log-row${involved}" data-node="${esc(name)}">
    <div class="log-label"><b>${esc(name)}</b> <span class="role-tag ${role.replace(' ', '-')}">${esc(role)}</span><br><span class="small">term ${node.term} · commit ${node.commit} · last ${node.log.length - 1}</span></div>
    <div class="log-cells">${cells}</div>${progress}</div>`;
}

function drawLogs(container, state, violation) {
  const win = logWindow(state, container.clientWidth || 600, violation ? violation.index : 0);
  let ruler = '';
  const every = win.cell >= 12 ? 10 : win.cell >= 7 ? 20 : 50;
  for (let i = win.lo; i <= win.hi; i++) ruler += `<span class="cell ruler" style="width:${win.cell - 1}px">${i % every === 0 ? i : ''}</span>`;
  let rows = `<div class="log-row ruler-row"><div class="log-label small">index</div><div class="log-cells">${ruler}</div></div>`;
  for (let id = 1; id <= RUN.nodes.length; id++) rows += logRowHtml(state, id, win, violation);
  container.innerHTML = rows;
}
