// Draws the estimate-against-actual chart from the embedded data (no library, no network).
(function () {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const rows = [];
  for (const p of data.phases) rows.push({label: 'Phase: ' + p.title, est: p.estimate_minutes, act: p.actual_seconds / 60});
  for (const t of data.tasks) rows.push({label: t.title, est: t.estimate_minutes, act: t.actual_seconds / 60});
  const host = document.getElementById('estimate-chart');
  if (!rows.length) { host.textContent = 'No task was worked on.'; return; }
  const NS = 'http://www.w3.org/2000/svg', labelW = 320, barW = 520, rowH = 34, top = 10;
  const max = Math.max(1, ...rows.map(r => Math.max(r.act, r.est ? r.est[1] : 0)));
  const scale = barW / max;
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('width', labelW + barW + 140); svg.setAttribute('height', top + rows.length * rowH + 10);
  svg.setAttribute('role', 'img'); svg.setAttribute('aria-label', 'Estimate against actual time');
  const defs = document.createElementNS(NS, 'defs');
  defs.innerHTML = '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
    '<rect width="6" height="6" fill="var(--over)"/><line x1="0" y1="0" x2="0" y2="6" stroke="var(--bg)" stroke-width="2"/></pattern>';
  svg.appendChild(defs);
  const el = (name, attrs, text) => { const e = document.createElementNS(NS, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]); if (text !== undefined) e.textContent = text; svg.appendChild(e); return e; };
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    el('text', {x: 0, y: y + 15, class: 'bar-label'}, r.label.length > 46 ? r.label.slice(0, 45) + '…' : r.label);
    if (r.est) el('rect', {x: labelW, y: y, width: Math.max(1, r.est[1] * scale), height: 10, fill: 'var(--est)', class: 'bar-estimate'});
    const over = r.est && r.act > r.est[1];
    el('rect', {x: labelW, y: y + 12, width: Math.max(1, r.act * scale), height: 12,
      fill: over ? 'url(#hatch)' : 'var(--ok)', class: over ? 'bar-actual bar-over' : 'bar-actual'});
    const est = r.est ? (r.est[0] === r.est[1] ? r.est[1] : r.est[0] + '–' + r.est[1]) + ' min' : 'no estimate';
    el('text', {x: labelW + Math.max(r.act, r.est ? r.est[1] : 0) * scale + 6, y: y + 22},
       r.act.toFixed(1) + ' min of ' + est + (over ? ' (over)' : ''));
  });
  host.appendChild(svg);
})();
