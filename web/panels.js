// The side panels: the verdict (with the checker's report and, for a linearizability failure,
// the operations on the key that cannot be ordered) and the narration, kept in step with the cursor.
'use strict';

function narrationLines() {
  const lines = RUN.narration.map(([index, t, text]) => ({ index, t, text }));
  const verdict = RUN.verdict;
  if (verdict) {
    verdict.violations.forEach((v, i) => {
      const index = RUN.violationEvents[i];
      if (index >= 0) lines.push({ index, t: RUN.events[index][T], text: `VIOLATION  ${v.property}: ${v.detail}`, violation: true });
    });
  }
  lines.sort((x, y) => x.index - y.index);
  return lines;
}

function drawNarration(list, lines, onSeek) {
  list.innerHTML = lines.map((l, i) => {
    const cls = l.violation ? 'violation' : l.text.startsWith('FAULT') ? 'fault' : '';
    return `<li class="${cls}" data-line="${i}" data-event="${l.index}"><span class="t">${(l.t / 1e6).toFixed(3)}s</span> ${esc(l.text)}</li>`;
  }).join('');
  list.addEventListener('click', (ev) => {
    const li = ev.target.closest('li');
    if (li) onSeek(Number(li.dataset.event) + 1);
  });
}

// Marks the last line told at or before the cursor; scrolls it into view when it changes.
function stepNarration(list, lines, count, previous) {
  let lo = 0, hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid].index < count) lo = mid + 1; else hi = mid;
  }
  const current = lo - 1;
  if (current === previous) return current;
  if (previous >= 0 && list.children[previous]) list.children[previous].classList.remove('current');
  const li = list.children[current];
  if (li) {
    li.classList.add('current');
    const box = list.getBoundingClientRect(), r = li.getBoundingClientRect();
    if (r.top < box.top || r.bottom > box.bottom) list.scrollTop += r.top - box.top - box.height / 3;
  }
  return current;
}

function opText(op) {
  const v = (x) => JSON.stringify(x);
  switch (op.op) {
    case 'get': return `get ${op.key}` + (op.outcome === 'ok' ? ` → ${v(op.result)}` : '');
    case 'put': return `put ${op.key} ${v(op.value)}`;
    case 'append': return `append ${op.key} ${v(op.value)}`;
    case 'cas': return `cas ${op.key} ${v(op.expected)}→${v(op.value)}` + (op.outcome === 'ok' ? ` = ${op.result}` : '');
    default: return op.op;
  }
}

// The operations on the key that cannot be linearized, in invocation order, the one that could
// not be placed marked, as Porcupine shows a failing partition.
function linearizabilityHtml(lin) {
  if (!lin || lin.verdict !== 'not linearizable' || lin.key === undefined) return '';
  const ops = RUN.history.filter((op) => op.key === lin.key).sort((a, b) => a.invoke - b.invoke);
  const isStuck = (op) => op.client === lin.stuck.client && op.invoke === lin.stuck.invoke;
  const pending = new Set((lin.pending || []).map((p) => p.client + ':' + p.invoke));
  const rows = ops.map((op) => {
    const cls = isStuck(op) ? 'stuck' : pending.has(op.client + ':' + op.invoke) ? 'pending' : '';
    const end = op.complete === undefined || op.complete === null ? '…' : (op.complete / 1e6).toFixed(3);
    return `<tr class="${cls}"><td>c${op.client}</td><td>${esc(opText(op))}</td><td>${(op.invoke / 1e6).toFixed(3)}–${end}s</td><td>${op.outcome}</td></tr>`;
  }).join('');
  return `<h3>Key ${esc(lin.key)}: ${ops.length} operations</h3>
    <p class="small">The longest order found covers ${lin.linearized_count} of them; no order of what was pending lets the
    <span class="stuck-tag">marked</span> operation take effect before it returned (at ${(lin.stuck.complete / 1e6).toFixed(3)}s).</p>
    ${ops.length ? `<div class="ops"><table><tr><th>client</th><th>operation</th><th>invoked–returned</th><th>outcome</th></tr>${rows}</table></div>` : '<p class="small">(run with a history to see the operations)</p>'}`;
}

function verdictHtml(verdict) {
  if (!verdict) return '<p class="small">This trace has no verdict (the run did not finish).</p>';
  const rows = verdict.rows.map((r) => `<tr class="${r.ok ? 'ok' : 'bad'}"><td>${esc(r.name)}</td><td>${esc(r.expected)}</td><td>${r.ok ? 'yes' : 'NO'}</td><td>${esc(r.observed)}</td></tr>`).join('');
  const reports = verdict.violations.map((v) => `<details open><summary>${esc(v.property)} at ${(v.t_us / 1e6).toFixed(3)}s</summary><pre>${esc(v.report)}</pre></details>`).join('');
  const lin = verdict.linearizability;
  const linReport = lin && lin.verdict === 'not linearizable' ? `<details><summary>linearizability report</summary><pre>${esc(lin.report)}</pre></details>` : '';
  return `<h2>Verdict</h2><table class="verdict"><tr><th>check</th><th>expected</th><th>ok</th><th>observed</th></tr>${rows}</table>${reports}${linearizabilityHtml(lin)}${linReport}`;
}
