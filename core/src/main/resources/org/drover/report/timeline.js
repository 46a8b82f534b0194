// Draws the chart (a row per task, a bar per attempt) and the table of every attempt from the
// page's data (#timeline-data), in blocks of 100 rows. The first blocks are drawn at once; the
// others when they come near the screen or when the browser is idle, whichever is first, so that
// a run of 10,000 attempts is on screen quickly and complete a moment later. The browser lays out
// only the blocks near the screen (content-visibility). Every value is set as text or as a checked
// attribute, never as markup. The legend's check boxes hide the attempts of a state; a bar links
// to its row of the table. <html data-ready="1" data-layout-ms="..."> says when the page was first
// laid out (ms from navigation start), data-complete-ms when every block was drawn.
(function () {
  'use strict';
  var root = document.documentElement;
  var data = JSON.parse(document.getElementById('timeline-data').textContent);
  var BLOCK = 100;
  var ROW_PX = 16;
  var STATE = /^[A-Z_]+$/;
  var LINK = /^(\.\.?\/|file:)/;

  function pct(ms) { return (ms * 100 / data.span).toFixed(3) + '%'; }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }

  function stateOf(s) { return STATE.test(s) ? s : 'UNKNOWN'; }

  // Where an attempt's bar ends: its end, or now while it is in progress.
  function endOf(a) { return a[7] >= 0 ? a[7] : Math.max(data.now, a[6] >= 0 ? a[6] : a[5]); }

  function bar(track, a, k, task) {
    var state = stateOf(a[3]);
    var sub = a[5];
    var start = a[6];
    var end = endOf(a);
    var b = el('a', 'bar s-' + state + (start < 0 ? ' nostart' : '') + (a[7] < 0 ? ' now' : ''));
    b.setAttribute('data-task', task);
    b.setAttribute('data-attempt', String(a[1]));
    b.setAttribute('data-state', state);
    b.setAttribute('href', '#a' + k);
    b.style.left = pct(sub);
    b.style.width = pct(end - sub);
    b.title = task + ' #' + a[1] + ' ' + state + ': queued ' + a[9]
        + (a[10] ? ', ran ' + a[10] : (a[7] >= 0 ? ', no start recorded' : ''))
        + (a[4] !== null ? ', exit ' + a[4] : '')
        + (a[11] ? ' \u2014 ' + (a[11].length > 200 ? a[11].slice(0, 200) + '\u2026' : a[11]) : '');
    var total = end - sub;
    var queued = (start >= 0 ? start : end) - sub;
    if (start < 0 || queued > 0) {
      var q = el('i');
      q.style.width = start < 0 || total <= 0 ? '100%' : (queued * 100 / total).toFixed(1) + '%';
      b.appendChild(q);
    }
    track.appendChild(b);
  }

  // One chart row per task.
  function chartRow(parent, i) {
    var t = data.tasks[i];
    var row = el('div', 'row');
    row.setAttribute('data-task', t[0]);
    var name = el('span', 'name', t[0]);
    name.title = t[1] ? t[0] + ' ' + t[1] : t[0];
    var track = el('span', 'track');
    var last = null;
    for (var k = t[4]; k < t[4] + t[5]; k++) {
      last = data.attempts[k];
      bar(track, last, k, t[0]);
    }
    var label;
    if (last === null) {
      label = el('span', 'lbl', t[2].toLowerCase().replace('_', ' ') + (t[3] ? ': ' + t[3] : ''));
      label.style.left = '0';
    } else {
      label = el('span', 'lbl', last[10] || last[9]);
      label.style.left = pct(endOf(last));
    }
    track.appendChild(label);
    row.appendChild(name);
    row.appendChild(track);
    parent.appendChild(row);
  }

  function cell(row, cls, text) {
    var c = el('span', cls, text);
    c.setAttribute('role', 'cell');
    row.appendChild(c);
    return c;
  }

  function link(parent, href, text) {
    if (!LINK.test(href)) { return; }
    var a = el('a', null, text);
    a.setAttribute('href', href);
    parent.appendChild(a);
    parent.appendChild(document.createTextNode(' '));
  }

  // The table's rows: one per attempt, and one for a task that made none.
  var tableRows = [];
  var rowOfAttempt = [];
  (function () {
    for (var i = 0; i < data.tasks.length; i++) {
      var t = data.tasks[i];
      if (t[5] === 0) { tableRows.push(-1 - i); }
      for (var k = t[4]; k < t[4] + t[5]; k++) {
        rowOfAttempt[k] = tableRows.length;
        tableRows.push(k);
      }
    }
  })();

  function tableRow(parent, j) {
    var r = el('div', 'tr');
    r.setAttribute('role', 'row');
    parent.appendChild(r);
    if (tableRows[j] < 0) {
      var t0 = data.tasks[-1 - tableRows[j]];
      r.setAttribute('data-task', t0[0]);
      cell(r, 'c', t0[0]).title = t0[0];
      cell(r, 'c', t0[1]).title = t0[1];
      cell(r, 'n', '\u2013');
      cell(r, 'c', '');
      cell(r, 'st', stateOf(t0[2]));
      for (var e = 0; e < 4; e++) { cell(r, 'n', ''); }
      cell(r, 'r', t0[3]);
      cell(r, '', '');
      return;
    }
    var k = tableRows[j];
    var a = data.attempts[k];
    var t = data.tasks[a[0]];
    var state = stateOf(a[3]);
    r.id = 'a' + k;
    r.setAttribute('data-task', t[0]);
    r.setAttribute('data-attempt', String(a[1]));
    r.setAttribute('data-state', state);
    cell(r, 'c', t[0]).title = t[0];
    cell(r, 'c', t[1]).title = t[1];
    cell(r, 'n', String(a[1]));
    cell(r, 'c', a[2] === null ? '' : a[2]);
    cell(r, 'st s-' + state, state);
    cell(r, 'n', a[4] === null ? '' : String(a[4]));
    cell(r, 't', a[8]);
    cell(r, 'n', a[9]);
    cell(r, 'n', a[10]);
    cell(r, 'r', a[11]);
    var out = cell(r, 't', null);
    link(out, a[12], 'stdout');
    link(out, a[13], 'stderr');
  }

  // Blocks of rows: drawn at once (the first ones), or when near the screen or the browser is idle.
  var pending = [];
  var observer = 'IntersectionObserver' in window ? new IntersectionObserver(function (entries) {
    for (var i = 0; i < entries.length; i++) {
      if (entries[i].isIntersecting) { fill(entries[i].target); }
    }
  }, { rootMargin: '2000px 0px' }) : null;

  function blocks(parent, count, rowPx, drawRow, eager) {
    var list = [];
    for (var from = 0; from < count; from += BLOCK) {
      var b = el('div', 'block');
      var rows = Math.min(BLOCK, count - from);
      b.style.containIntrinsicSize = 'auto ' + rows * rowPx + 'px';
      b.drover = { from: from, to: from + rows, draw: drawRow };
      parent.appendChild(b);
      list.push(b);
      if (from < eager || observer === null) {
        fill(b);
      } else {
        b.style.height = rows * rowPx + 'px';
        observer.observe(b);
        pending.push(b);
      }
    }
    return list;
  }

  function fill(b) {
    var job = b.drover;
    if (!job) { return; }
    b.drover = null;
    if (observer) { observer.unobserve(b); }
    for (var i = job.from; i < job.to; i++) { job.draw(b, i); }
    b.style.height = '';
  }

  function fillWhenIdle(deadline) {
    while (pending.length > 0 && deadline.timeRemaining() > 2) { fill(pending.shift()); }
    if (pending.length > 0) {
      idle(fillWhenIdle);
    } else {
      root.setAttribute('data-complete-ms', String(Math.round(performance.now())));
    }
  }

  function idle(f) {
    if ('requestIdleCallback' in window) {
      window.requestIdleCallback(f, { timeout: 200 });
    } else {
      setTimeout(function () { f({ timeRemaining: function () { return 10; } }); }, 0);
    }
  }

  // A bar's link (#a12) shows its row of the table, drawn first if need be.
  function showTarget() {
    var m = /^#a(\d+)$/.exec(location.hash);
    if (!m || rowOfAttempt[Number(m[1])] === undefined) { return; }
    var b = tableBlocks[Math.floor(rowOfAttempt[Number(m[1])] / BLOCK)];
    fill(b);
    var target = document.getElementById('a' + m[1]);
    if (target) { target.scrollIntoView({ block: 'center' }); }
  }

  var boxes = document.querySelectorAll('.legend input[data-state]');
  for (var i = 0; i < boxes.length; i++) {
    boxes[i].addEventListener('change', function (e) {
      document.body.classList.toggle('hide-' + e.target.getAttribute('data-state'), !e.target.checked);
    });
  }

  // page.html#draw-all draws every block at once (to measure it, or to print the whole page).
  var all = location.hash === '#draw-all' ? Infinity : 0;
  blocks(document.getElementById('rows'), data.tasks.length, ROW_PX, chartRow, Math.max(all, 300));
  var tableBlocks = blocks(document.getElementById('attempt-rows'), tableRows.length, 21, tableRow, Math.max(all, 200));
  window.addEventListener('hashchange', showTarget);
  if (pending.length === 0) {
    root.setAttribute('data-complete-ms', String(Math.round(performance.now())));
  }

  function laidOut() {
    var height = document.body.getBoundingClientRect().height;   // forces style and layout
    root.setAttribute('data-layout-ms', String(Math.round(performance.now())));
    root.setAttribute('data-height', String(Math.round(height)));
    root.setAttribute('data-ready', '1');
    showTarget();
    if (pending.length > 0) { idle(fillWhenIdle); }
  }
  if (document.readyState === 'complete') {
    laidOut();
  } else {
    window.addEventListener('load', laidOut);
  }
})();
