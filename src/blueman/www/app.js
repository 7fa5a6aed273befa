// BlueMan's page: log in, then Overview, Health and Telemetry from /api/v1.
'use strict';

const $ = (id) => document.getElementById(id);
let timer = null;
const history = {}; // port -> [{t, rx, tx, drops, errors}]
const pinned = {}; // "name{labels}" -> [{t, v}]: series charted from the counter browser

async function api(path, opts) {
  const r = await fetch('/api/v1/' + path, Object.assign({ credentials: 'same-origin' }, opts || {}));
  if (r.status === 401 && path !== 'login') {
    show('login');
    throw new Error('login required');
  }
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

function text(v) {
  return v === null || v === undefined ? '-' : String(v);
}

function kv(table, obj) {
  table.replaceChildren(...Object.entries(obj).map(([k, v]) => {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    const td = document.createElement('td');
    th.textContent = k;
    td.textContent = text(v);
    td.dataset.key = k;
    tr.append(th, td);
    return tr;
  }));
}

function grid(table, rows, cols, rowClass) {
  const head = document.createElement('tr');
  cols.forEach((c) => { const th = document.createElement('th'); th.textContent = c; head.append(th); });
  table.replaceChildren(head, ...rows.map((r) => {
    const tr = document.createElement('tr');
    if (rowClass) tr.className = rowClass(r);
    cols.forEach((c) => { const td = document.createElement('td'); td.textContent = text(r[c]); td.dataset.col = c; tr.append(td); });
    return tr;
  }));
}

function show(page) {
  clearInterval(timer);
  timer = null;
  $('login').hidden = page !== 'login';
  $('nav').hidden = page === 'login';
  document.querySelectorAll('.page').forEach((s) => { s.hidden = s.id !== page; });
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.dataset.page === page));
  if (page === 'overview') overview();
  if (page === 'health') health();
  if (page === 'telemetry') { telemetry(); timer = setInterval(telemetry, 1000); }
}

async function overview() {
  const o = await api('overview');
  kv($('device'), o.device);
  const h = o.host;
  kv($('host'), {
    hostname: h.hostname, os: h.os, kernel: h.kernel, uptime: Math.round(h.uptime_s) + ' s',
    cpus: h.cpus, 'cpu busy': h.cpu_busy_pct === undefined ? '-' : h.cpu_busy_pct.toFixed(1) + ' %',
    load: [h.load1, h.load5, h.load15].join(' '),
    memory: Math.round((h.mem_total_kb - h.mem_available_kb) / 1024) + ' / ' + Math.round(h.mem_total_kb / 1024) + ' MiB used',
    disk: Math.round((h.disk_total_bytes - h.disk_free_bytes) / 1073741824) + ' / ' + Math.round(h.disk_total_bytes / 1073741824) + ' GiB used',
  });
  grid($('ports'), o.ports.map((p) => Object.assign({}, p, { link: p.link_up ? 'up' : 'down' })),
    ['name', 'kind', 'link', 'speed_mbps', 'mac', 'pci']);
}

async function health() {
  const h = await api('health');
  grid($('alarms'), h.alarms, ['sensor', 'severity', 'value', 'threshold'], (r) => r.severity);
  grid($('sensors'), h.sensors, ['name', 'kind', 'value', 'warn', 'crit', 'state'], (r) => r.state);
  grid($('services'), h.services, ['name', 'state', 'records', 'silent_s', 'error'],
    (r) => (r.state === 'reporting' || r.state === 'up' ? 'up' : 'down'));
  $('log').textContent = h.log.map((l) => l.source + ': ' + l.line).join('\n');
}

// One port's chart: received and sent packets per second over the last
// minute, with the drop and error rates beside the numbers.
function chart(name, pts) {
  const w = 240, hgt = 60;
  const max = Math.max(1, ...pts.map((p) => Math.max(p.rx, p.tx)));
  const line = (key) => pts.map((p, i) => (i ? 'L' : 'M') +
    ((i * w) / Math.max(1, pts.length - 1)).toFixed(1) + ',' + (hgt - (p[key] / max) * hgt).toFixed(1)).join(' ');
  const last = pts.length ? pts[pts.length - 1] : { rx: 0, tx: 0, drops: 0, errors: 0 };
  return '<div class="chart" data-port="' + name + '"><b>' + name + '</b> rx <span class="rate">' +
    last.rx.toFixed(0) + '</span> tx <span class="tx">' + last.tx.toFixed(0) + '</span> pkt/s, drops <span class="drops">' +
    last.drops.toFixed(0) + '</span>/s, errors <span class="errors">' + last.errors.toFixed(0) + '</span>/s' +
    '<svg width="' + w + '" height="' + hgt + '"><line x1="0" y1="' + hgt + '" x2="' + w + '" y2="' + hgt + '" stroke="#d0d7de"/>' +
    '<path class="rx" d="' + line('rx') + '" fill="none" stroke="#0969da" stroke-width="1.5"/>' +
    '<path class="tx" d="' + line('tx') + '" fill="none" stroke="#1a7f37" stroke-width="1.5"/></svg></div>';
}

const COUNTERS = {
  rx: ['dts_eth_rx_packets_total'],
  tx: ['dts_eth_tx_packets_total'],
  drops: ['dts_eth_rx_dropped_total', 'dts_eth_tx_dropped_total'],
  errors: ['dts_eth_rx_errors_total', 'dts_eth_tx_errors_total'],
};

async function telemetry() {
  const t = await api('telemetry?prefix=');
  const now = t.time_ms / 1000;
  const sample = {}; // port -> {rx, tx, drops, errors} counter sums
  t.series.forEach((s) => {
    const dev = s.labels.device;
    if (dev === undefined) return;
    Object.entries(COUNTERS).forEach(([k, names]) => {
      if (names.includes(s.name)) {
        sample[dev] = sample[dev] || { rx: 0, tx: 0, drops: 0, errors: 0 };
        sample[dev][k] += s.value || 0;
      }
    });
  });
  let html = '';
  Object.keys(sample).sort().forEach((dev) => {
    const h = history[dev] || (history[dev] = []);
    h.push(Object.assign({ t: now }, sample[dev]));
    if (h.length > 61) h.shift();
    const pts = h.slice(1).map((p, i) => {
      const dt = Math.max(0.001, p.t - h[i].t);
      const rate = (k) => Math.max(0, (p[k] - h[i][k]) / dt);
      return { rx: rate('rx'), tx: rate('tx'), drops: rate('drops'), errors: rate('errors') };
    });
    html += chart(dev, pts);
  });
  $('charts').innerHTML = html;
  // Series pinned from the counter browser: a counter (*_total) as a rate, a gauge as is.
  let pinnedHtml = '';
  t.series.forEach((s) => {
    const key = s.name + '{' + Object.entries(s.labels).map(([k, v]) => k + '=' + v).join(', ') + '}';
    const h = pinned[key];
    if (!h) return;
    h.push({ t: now, v: s.value || 0 });
    if (h.length > 61) h.shift();
    const rate = s.name.endsWith('_total');
    const pts = rate ? h.slice(1).map((p, i) => ({ v: Math.max(0, (p.v - h[i].v) / Math.max(0.001, p.t - h[i].t)) }))
      : h.map((p) => ({ v: p.v }));
    pinnedHtml += seriesChart(key, pts, rate ? '/s' : '');
  });
  $('pinned').innerHTML = pinnedHtml;
  const f = $('filter').value;
  grid($('series'), t.series.filter((s) => s.name.startsWith(f)).slice(0, 500).map((s) => ({
    name: s.name, labels: Object.entries(s.labels).map(([k, v]) => k + '=' + v).join(', '), value: s.value,
  })), ['name', 'labels', 'value']);
  $('series').querySelectorAll('tr').forEach((tr, i) => {
    if (i === 0) return;
    const cells = tr.children;
    const key = cells[0].textContent + '{' + cells[1].textContent + '}';
    if (pinned[key]) tr.classList.add('pinned');
    tr.title = 'click to chart this series';
    tr.addEventListener('click', () => {
      if (pinned[key]) delete pinned[key]; else pinned[key] = [];
      tr.classList.toggle('pinned');
    });
  });
}

function seriesChart(key, pts, unit) {
  const w = 240, hgt = 60;
  const max = Math.max(1e-9, ...pts.map((p) => p.v));
  const path = pts.map((p, i) => (i ? 'L' : 'M') + ((i * w) / Math.max(1, pts.length - 1)).toFixed(1) + ',' +
    (hgt - (p.v / max) * hgt).toFixed(1)).join(' ');
  const last = pts.length ? pts[pts.length - 1].v : 0;
  const esc = key.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  return '<div class="chart pinned-chart" data-series="' + esc + '"><b>' + esc + '</b> <span class="value">' +
    last.toPrecision(4) + '</span>' + unit + '<svg width="' + w + '" height="' + hgt + '"><path d="' + path +
    '" fill="none" stroke="#8250df" stroke-width="1.5"/></svg></div>';
}

async function start() {
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    $('login-error').textContent = '';
    try {
      await api('login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ user: $('user').value, password: $('password').value }) });
      const s = await api('session');
      $('who').textContent = s.user;
      location.hash = '#overview';
      show('overview');
    } catch (err) {
      $('login-error').textContent = err.message;
    }
  });
  $('logout').addEventListener('click', async () => {
    await api('logout', { method: 'POST' }).catch(() => {});
    show('login');
  });
  window.addEventListener('hashchange', () => show(location.hash.slice(1) || 'overview'));
  try {
    const s = await api('session');
    $('who').textContent = s.user;
    show(location.hash.slice(1) || 'overview');
  } catch (err) {
    show('login');
  }
}

start();
