// The Caravan console: polls GET /console/api/overview and renders it. Every value from the receiver is
// shown with textContent (names come from clients); nothing is ever parsed as HTML. A process without a
// receiver (role sender) answers the same overview with role 'sender' and sent_bytes: its sends.
(function () {
  'use strict';
  const POLL_MS = 2000;
  const WINDOW_POINTS = 150; // five minutes of throughput at one point per poll
  const series = { t: [], rate: [] };
  const SMOOTH_POINTS = 5; // the rate spans the last four polls (8 s): chunks are counted whole, when stored
  const samples = []; // {time (s), bytes} of the last polls
  let chart = null;

  function bytes(n) {
    if (n == null) { return '–'; }
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    let v = Number(n);
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return (i === 0 ? v.toFixed(0) : v.toFixed(v < 10 ? 2 : 1)) + ' ' + units[i];
  }
  function rate(n) { return n == null ? '–' : bytes(n) + '/s'; }
  function duration(ms) {
    if (ms == null) { return '–'; }
    const s = Math.round(ms / 1000);
    if (s < 60) { return (ms < 10000 ? (ms / 1000).toFixed(1) : s) + ' s'; }
    const m = Math.floor(s / 60);
    return m < 60 ? m + ' min ' + (s % 60) + ' s' : Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
  }
  function when(iso) {
    if (!iso) { return '–'; }
    const d = new Date(iso);
    return isNaN(d) ? String(iso) : d.toLocaleString();
  }

  function cell(tr, label, text, cls) {
    const td = document.createElement('td');
    td.dataset.label = label;
    const span = document.createElement('span');
    span.textContent = text == null ? '–' : String(text);
    if (cls) { span.className = cls; }
    td.appendChild(span);
    tr.appendChild(td);
    return td;
  }

  function fill(id, rows, render) {
    const body = document.querySelector('#' + id + ' tbody');
    const empty = document.getElementById(id + '-empty');
    const frag = document.createDocumentFragment();
    rows.forEach(function (row) {
      const tr = document.createElement('tr');
      render(tr, row);
      frag.appendChild(tr);
    });
    body.replaceChildren(frag);
    document.getElementById(id).hidden = rows.length === 0;
    if (empty) { empty.hidden = rows.length !== 0; }
  }

  function about(s) { return s.kind === 'archive' ? '≈ ' : ''; }

  function progressCell(tr, s) {
    // an archive's announced size counts the source's files, not the packed stream: an estimate
    const share = s.expected_bytes ? Math.min(100, 100 * s.bytes / s.expected_bytes) : null;
    const td = cell(tr, 'Progress', bytes(s.bytes)
      + (s.expected_bytes ? ' of ' + about(s) + bytes(s.expected_bytes) + ' (' + share.toFixed(0) + ' %)' : '')
      + ' · ' + s.chunks + (s.chunks === 1 ? ' chunk' : ' chunks'));
    td.classList.add('progress');
    const bar = document.createElement('div');
    bar.className = 'bar';
    const fillBar = document.createElement('span');
    if (share != null) {
      fillBar.style.width = share.toFixed(1) + '%';
    } else {
      bar.classList.add('indeterminate');
    }
    bar.appendChild(fillBar);
    td.firstChild.appendChild(bar);
  }

  // the bytes the page counts: received by a receiver, sent by a sender
  function moved(o) { return o.role === 'sender' ? o.sent_bytes : o.received_bytes; }

  function render(o) {
    if (o.role === 'sender') {
      document.getElementById('received-label').textContent = 'Sent since start';
    }
    document.getElementById('count-live').textContent = String(o.sessions.length);
    document.getElementById('received').textContent = bytes(moved(o));
    document.getElementById('count-failures').textContent = String(o.failures.length);
    fill('live', o.sessions, function (tr, s) {
      cell(tr, 'Name', s.name);
      cell(tr, 'Kind', s.mode ? s.kind + ' · ' + s.mode : s.kind);
      progressCell(tr, s);
      cell(tr, 'Speed', rate(s.bytes_per_second));
      cell(tr, 'ETA', s.eta_seconds == null ? '–' : about(s) + duration(s.eta_seconds * 1000));
      cell(tr, 'Started', when(s.started_at));
    });
    fill('history', o.transfers, function (tr, t) {
      cell(tr, 'Name', t.name);
      cell(tr, 'Files', t.files);
      cell(tr, 'Bytes', bytes(t.bytes));
      const hash = cell(tr, 'SHA-256', t.sha256 ? t.sha256.slice(0, 16) + '…' : '–', 'hash');
      if (t.sha256) { hash.title = t.sha256; }
      cell(tr, 'Duration', duration(t.duration_ms));
      cell(tr, 'Client', t.client);
      cell(tr, 'Result', t.result, t.result === 'ok' ? 'ok' : 'bad');
      cell(tr, 'Time', when(t.time));
    });
    fill('failures', o.failures, function (tr, f) {
      cell(tr, 'Event', f.event === 'auth_failure' ? 'authentication' : f.event === 'send_failure' ? 'send' : f.event);
      cell(tr, 'Name', f.name || f.session);
      cell(tr, 'Client', f.client);
      cell(tr, 'Reason', f.count ? f.result + ' \u00d7' + f.count : f.result, 'bad');
      cell(tr, 'Time', when(f.time));
    });
    fill('mirrors', o.mirrors, function (tr, m) {
      cell(tr, 'Mirror', m.name);
      cell(tr, 'Last change', when(m.last_change));
      cell(tr, 'Changes', m.changes);
    });
    document.getElementById('shares-section').hidden = o.shares.length === 0;
    fill('shares', o.shares, function (tr, s) {
      cell(tr, 'Share', s.name);
      var shown = s.followers || [];
      var more = (s.followers_total || shown.length) - shown.length;
      cell(tr, 'Followers', shown.join(', ') + (more > 0 ? ' and ' + more + ' more' : ''));
    });
    plot(o);
  }

  function plot(o) {
    const now = Date.parse(o.time) / 1000;
    const first = samples.length ? samples[0] : null;
    const total = moved(o);
    if (samples.length && total < samples[samples.length - 1].bytes) {
      samples.length = 0; // the process restarted: its counter began again
    } else if (first && now > first.time) {
      const r = (total - first.bytes) / (now - first.time);
      series.t.push(now);
      series.rate.push(r);
      if (series.t.length > WINDOW_POINTS) { series.t.shift(); series.rate.shift(); }
      document.getElementById('rate').textContent = rate(r);
    }
    samples.push({ time: now, bytes: total });
    if (samples.length > SMOOTH_POINTS) { samples.shift(); }
    if (typeof uPlot === 'undefined') { return; }
    const el = document.getElementById('chart');
    if (!chart) {
      chart = new uPlot({
        width: Math.max(260, el.clientWidth - 12), height: 220,
        series: [{ value: function (u, v) { return v == null ? '–' : new Date(v * 1000).toLocaleTimeString(); } }, { label: o.role === 'sender' ? 'sent' : 'received', stroke: '#1f6feb', fill: 'rgba(31,111,235,0.15)', width: 2, value: function (u, v) { return rate(v); } }],
        axes: [
          { space: 80 },
          { size: 96, values: function (u, vals) { return vals.map(rate); } }
        ],
        scales: {
          // the last five minutes, whatever the points so far
          x: { time: true, range: function (u, min, max) { return [max - WINDOW_POINTS * POLL_MS / 1000, max]; } },
          y: { range: function (u, min, max) { return [0, Math.max(1024, max * 1.1)]; } }
        }
      }, [series.t, series.rate], el);
      window.addEventListener('resize', function () { chart.setSize({ width: Math.max(260, el.clientWidth - 12), height: 220 }); });
    } else {
      chart.setData([series.t, series.rate]);
    }
  }

  function status(text, cls) {
    const el = document.getElementById('status');
    el.textContent = text;
    el.className = 'status ' + cls;
  }

  function poll() {
    fetch('/console/api/overview', { credentials: 'same-origin', cache: 'no-store' })
      .then(function (response) {
        if (response.status === 401) { window.location.assign('/'); throw new Error('logged out'); }
        if (!response.ok) { throw new Error('HTTP ' + response.status); }
        return response.json();
      })
      .then(function (o) { render(o); status('live · updated ' + new Date().toLocaleTimeString(), 'live'); })
      .catch(function (e) { status('cannot reach Caravan (' + e.message + ')', 'down'); })
      .finally(function () { setTimeout(poll, POLL_MS); });
  }

  document.addEventListener('DOMContentLoaded', poll);
}());
