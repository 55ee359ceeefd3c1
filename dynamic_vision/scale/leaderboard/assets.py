"""The leaderboard's stylesheet and script, inlined into every page (no CDN, works offline)."""

from __future__ import annotations

__all__ = ["STYLE", "SCRIPT"]

STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5rem;
       color: #1d2430; background: #fbfbfd; }
h1 { font-size: 1.45rem; margin: 0 0 .3rem; } h2 { font-size: 1.1rem; margin-top: 1.6rem; }
a { color: #1f5fa8; text-decoration: none; } a:hover { text-decoration: underline; }
nav { margin: .2rem 0 1rem; color: #5b6473; } nav a { margin-right: 1rem; }
.controls { display: flex; gap: 1.2rem; align-items: center; margin: .8rem 0; flex-wrap: wrap; }
.controls input[type=search] { padding: .3rem .5rem; min-width: 16rem; }
table { border-collapse: collapse; background: #fff; box-shadow: 0 1px 2px #0002; }
th, td { padding: .3rem .55rem; border-bottom: 1px solid #e4e7ec; text-align: right;
         white-space: nowrap; }
th { background: #eef1f6; position: sticky; top: 0; font-weight: 600; }
th.sortable { cursor: pointer; user-select: none; }
th.sortable::after { content: " \\2195"; color: #98a1b0; }
th.sorted-asc::after { content: " \\2191"; color: #1d2430; }
th.sorted-desc::after { content: " \\2193"; color: #1d2430; }
td:first-child, th:first-child { text-align: left; }
th.aggregate, td.aggregate { background-clip: padding-box; border-left: 1px solid #d5dae2; }
td.missing { color: #a3aab6; } td.failed { color: #b3261e; }
td.partial .v { font-style: italic; }
small.coverage { color: #7a8394; margin-left: .25rem; }
pre { background: #f3f4f7; padding: .5rem; overflow-x: auto; max-width: 80rem; }
figure { display: inline-block; margin: .5rem 1rem .5rem 0; }
figcaption { color: #5b6473; font-size: .85rem; }
.note { color: #5b6473; max-width: 60rem; }
body.hide-benchmarks .benchmark-column { display: none; }
"""

SCRIPT = """
(function () {
  const table = document.getElementById('leaderboard');
  if (!table) return;
  const body = table.tBodies[0];
  const headers = Array.from(table.tHead.rows[0].cells);
  let sortColumn = null, ascending = false;

  function sortValue(row, index) {
    const v = row.cells[index].dataset.sort;
    return v === undefined || v === '' ? null : (isNaN(Number(v)) ? v : Number(v));
  }
  function sortBy(index, keepDirection) {
    if (!keepDirection) ascending = sortColumn === index ? !ascending : index === 0;
    sortColumn = index;
    const rows = Array.from(body.rows);
    rows.sort(function (a, b) {
      const x = sortValue(a, index), y = sortValue(b, index);
      if (x === null && y === null) return 0;
      if (x === null) return 1;   // missing cells sink, whatever the direction
      if (y === null) return -1;
      const order = x < y ? -1 : x > y ? 1 : 0;
      return ascending ? order : -order;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    headers.forEach(function (h, i) {
      h.classList.remove('sorted-asc', 'sorted-desc');
      if (i === index) h.classList.add(ascending ? 'sorted-asc' : 'sorted-desc');
    });
  }
  headers.forEach(function (h, i) {
    if (h.classList.contains('sortable')) h.addEventListener('click', function (event) {
      if (event.target.tagName === 'A') return;
      sortBy(i, false);
    });
  });

  function setAggregation(mode) {
    table.querySelectorAll('td.aggregate').forEach(function (td) {
      const v = td.dataset[mode], n = td.dataset[mode + 'Text'];
      td.dataset.sort = v === undefined ? '' : v;
      td.querySelector('.v').textContent = n;
    });
    document.body.dataset.aggregation = mode;
    if (sortColumn !== null) sortBy(sortColumn, true);
  }
  const toggle = document.getElementById('aggregation');
  if (toggle) toggle.addEventListener('change', function () { setAggregation(toggle.value); });

  const filter = document.getElementById('filter');
  if (filter) filter.addEventListener('input', function () {
    const text = filter.value.trim().toLowerCase();
    Array.from(body.rows).forEach(function (row) {
      row.style.display = row.cells[0].textContent.toLowerCase().includes(text) ? '' : 'none';
    });
  });
  const benchmarks = document.getElementById('show-benchmarks');
  if (benchmarks) benchmarks.addEventListener('change', function () {
    document.body.classList.toggle('hide-benchmarks', !benchmarks.checked);
  });
  const average = headers.findIndex(function (h) { return h.dataset.column === 'average'; });
  if (average >= 0) sortBy(average, false);
})();
"""
