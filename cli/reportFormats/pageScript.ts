// The page's own script: the inventory from its embedded columnar data (string tables and index
// arrays), with search, filters, sort and paging, drawing one page of rows at a time. Plain ES2017
// in a string, so that what runs in the browser is exactly what is hashed into the page's CSP.
// Why no library: docs/report.md, "The page".
export const PAGE_SCRIPT = String.raw`(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('inventory-data').textContent);
  var C = D.cols, N = D.n, PAGE = 50;
  var $ = function (id) { return document.getElementById(id); };
  var fmt = new Intl.NumberFormat('en');
  // Lower-cased string tables for search, made on the first search.
  var lower = C.map(function () { return null; });
  var order = new Int32Array(N), view = order, page = 0, sortCol = -1, asc = true;
  for (var i = 0; i < N; i++) order[i] = i;
  function text(c, r) {
    if (c.t === 's') return c.s[c.i[r]];
    var v = c.v[r];
    return v === null ? c.none : fmt.format(v);
  }
  function draw() {
    var body = $('inventory').tBodies[0], from = page * PAGE, to = Math.min(view.length, from + PAGE);
    var rows = document.createDocumentFragment();
    for (var j = from; j < to; j++) {
      var r = view[j], tr = document.createElement('tr');
      tr.className = D.rowClass.s[D.rowClass.i[r]];
      for (var k = 0; k < C.length; k++) {
        var td = document.createElement('td'), t = text(C[k], r);
        td.textContent = t;
        if (C[k].wide) td.title = t;
        if (C[k].t === 'n') td.className = 'num';
        tr.appendChild(td);
      }
      rows.appendChild(tr);
    }
    body.replaceChildren(rows);
    $('shown').textContent = view.length === 0 ? 'no function matches' : fmt.format(from + 1) + '-' + fmt.format(to) + ' of ' + fmt.format(view.length) + (view.length < N ? ' (of ' + fmt.format(N) + ')' : '');
    $('prev').disabled = page === 0;
    $('next').disabled = to >= view.length;
  }
  function apply() {
    var q = $('q').value.trim().toLowerCase();
    var hit = C.map(function (c, k) {
      if (!q || !c.q) return null;
      var l = lower[k] || (lower[k] = c.s.map(function (s) { return s.toLowerCase(); }));
      return Uint8Array.from(l, function (s) { return s.indexOf(q) >= 0 ? 1 : 0; });
    });
    // A filter's value is the index of its string in the column's table; '' is every row.
    var only = [].map.call(document.querySelectorAll('select[data-col]'), function (s) { return [Number(s.dataset.col), s.value === '' ? -1 : Number(s.value)]; })
      .filter(function (f) { return f[1] !== -1; });
    var out = new Int32Array(order.length), n = 0;
    for (var j = 0; j < order.length; j++) {
      var r = order[j], ok = true;
      for (var f = 0; f < only.length && ok; f++) ok = C[only[f][0]].i[r] === only[f][1];
      if (ok && q) {
        ok = false;
        for (var k = 0; k < C.length && !ok; k++) if (hit[k]) ok = hit[k][C[k].i[r]] === 1;
      }
      if (ok) out[n++] = r;
    }
    view = out.subarray(0, n);
    page = 0;
    draw();
  }
  function sortBy(col) {
    asc = sortCol === col ? !asc : true;
    sortCol = col;
    // One number per row, rank * N + row, sorted natively (no comparator): ties keep the row
    // order, absent numbers go last either way. Every value is an integer below 2^53 / N. A text
    // column's rank is its index: its table comes sorted (pageData.ts).
    var c = C[col], keys = new Float64Array(N), r, k, lo = Infinity, hi = -Infinity;
    if (c.t === 's') {
      var top = c.s.length;
      for (r = 0; r < N; r++) keys[r] = (asc ? c.i[r] : top - c.i[r]) * N + r;
    } else {
      for (r = 0; r < N; r++) if (c.v[r] !== null) { lo = Math.min(lo, c.v[r]); hi = Math.max(hi, c.v[r]); }
      if (lo > hi) lo = hi = 0;
      for (r = 0; r < N; r++) {
        k = c.v[r] === null ? hi - lo + 1 : asc ? c.v[r] - lo : hi - c.v[r];
        keys[r] = k * N + r;
      }
    }
    keys.sort();
    for (r = 0; r < N; r++) order[r] = keys[r] % N;
    [].forEach.call(document.querySelectorAll('#inventory th'), function (th, k) {
      if (k === col) th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    });
    apply();
  }
  [].forEach.call(document.querySelectorAll('#inventory th'), function (th, k) { th.addEventListener('click', function () { sortBy(k); }); });
  $('q').addEventListener('input', apply);
  [].forEach.call(document.querySelectorAll('select[data-col]'), function (s) { s.addEventListener('change', apply); });
  $('prev').addEventListener('click', function () { page--; draw(); });
  $('next').addEventListener('click', function () { page++; draw(); });
  sortBy(D.sortCol);
  document.body.dataset.ready = 'true';
})();`;
