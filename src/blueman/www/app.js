// BlueMan's page: log in, then Overview, Health and Telemetry from /api/v1.
'use strict';

const $ = (id) => document.getElementById(id);
let timer = null;
const history = {}; // port -> [{t, rx, tx}]

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
    cpus: h.cpus, load: [h.load1, h.load5, h.load15].join(' '),
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
  grid($('services'), h.services, ['name', 'state', 'records', 'error'], (r) => (r.state === 'down' ? 'down' : 'up'));
  $('log').textContent = h.log.map((l) => l.source + ': ' + l.line).join('\n');
}

function chart(name, points) {
  const w = 240, hgt = 60;
  const max = Math.max(1, ...points.map((p) => p.v));
  const xs = points.map((p, i) => (i * w) / Math.max(1, points.length - 1));
  const path = points.map((p, i) => (i ? 'L' : 'M') + xs[i].toFixed(1) + ',' + (hgt - (p.v / max) * hgt).toFixed(1)).join(' ');
  const last = points.length ? points[points.length - 1].v : 0;
  return '<div class="chart" data-port="' + name + '"><b>' + name + '</b> ' +
    '<span class="rate">' + last.toFixed(0) + '</span> pkt/s<svg width="' + w + '" height="' + hgt + '">' +
    '<path d="' + path + '" fill="none" stroke="#0969da" stroke-width="1.5"/></svg></div>';
}

async function telemetry() {
  const t = await api('telemetry?prefix=');
  const now = t.time_ms / 1000;
  const rx = {};
  t.series.filter((s) => s.name === 'dts_eth_rx_packets_total').forEach((s) => { rx[s.labels.device] = s.value; });
  let html = '';
  Object.keys(rx).sort().forEach((dev) => {
    const h = history[dev] || (history[dev] = []);
    h.push({ t: now, rx: rx[dev] });
    if (h.length > 61) h.shift();
    const pts = h.slice(1).map((p, i) => ({ v: Math.max(0, (p.rx - h[i].rx) / Math.max(0.001, p.t - h[i].t)) }));
    html += chart(dev, pts);
  });
  $('charts').innerHTML = html;
  const f = $('filter').value;
  grid($('series'), t.series.filter((s) => s.name.startsWith(f)).slice(0, 500).map((s) => ({
    name: s.name, labels: Object.entries(s.labels).map(([k, v]) => k + '=' + v).join(', '), value: s.value,
  })), ['name', 'labels', 'value']);
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
