// StreamWatch UI: plain ES module, no build step. Every text from the API (model output included)
// goes into the page through textContent or attributes, never as HTML.
const $ = (id) => document.getElementById(id);
const DAY_MS = 24 * 3600 * 1000;

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

async function getJson(path) {
  const r = await fetch(path, { headers: { Accept: 'application/json' } });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

const enc = encodeURIComponent;
let cameras = [];

async function refreshStatus() {
  try {
    const s = await getJson('/api/status');
    const cams = s.cameras || [];
    const online = cams.filter((c) => c.state === 'online').length;
    $('status').textContent = `v${s.version ?? '?'} · ${online}/${cams.length} cameras online · ${s.ready ? 'ready' : 'not ready'}`;
  } catch (e) { $('status').textContent = `status unavailable: ${e.message}`; }
}

async function refreshTiles() {
  try { cameras = await getJson('/api/cameras'); } catch { return; }
  const tiles = $('tiles');
  for (const c of cameras) {
    let tile = tiles.querySelector(`[data-camera="${CSS.escape(c.name)}"]`);
    if (!tile) {
      tile = el('div', { class: 'tile', 'data-camera': c.name },
        el('img', { alt: `latest frame of ${c.name}` }),
        el('div', { class: 'name' }));
      tiles.append(tile);
    }
    if (c.local !== false) tile.querySelector('img').src = `/api/cameras/${enc(c.name)}/latest.jpg?t=${Date.now()}`;
    const name = tile.querySelector('.name');
    name.replaceChildren(...[el('strong', { text: c.name }),
      el('span', { class: `badge ${c.state}`, text: c.state }),
      c.gate_open ? el('span', { class: 'badge motion', text: 'motion' }) : null,
      c.local === false ? el('span', { class: 'badge', text: c.node ? `on node ${c.node}` : 'not claimed' }) : null,
      c.open_alerts > 0 ? el('span', { class: 'badge alert', text: `${c.open_alerts} alert${c.open_alerts > 1 ? 's' : ''}` }) : null,
      el('span', { class: 'meta', text: `${c.fps} fps` })].filter(Boolean));
  }
}

async function refreshTimelines() {
  const now = Date.now();
  const from = new Date(now - DAY_MS).toISOString();
  const box = $('timelines');
  for (const c of cameras) {
    let page;
    try { page = await getJson(`/api/events?camera=${enc(c.name)}&from=${enc(from)}&limit=500`); } catch { continue; }
    let row = box.querySelector(`[data-camera="${CSS.escape(c.name)}"]`);
    if (!row) {
      row = el('div', { 'data-camera': c.name },
        el('div', { class: 'timeline-label' }, el('span', { text: c.name }), el('span', { class: 'count' })),
        el('div', { class: 'timeline', role: 'list' }));
      box.append(row);
    }
    row.querySelector('.count').textContent = `${page.items.length} event(s)`;
    const line = row.querySelector('.timeline');
    line.replaceChildren(...page.items.map((e) => {
      const start = Date.parse(e.start), end = e.end ? Date.parse(e.end) : now;
      const left = Math.min(99.5, Math.max(0, (start - (now - DAY_MS)) / DAY_MS * 100));
      const width = Math.min(100 - left, Math.max(0.5, (end - start) / DAY_MS * 100));
      return el('button', { class: 'bar', role: 'listitem', title: `${e.rule} ${e.label ?? ''} ${e.start}`,
        style: `left:${left}%;width:${width}%`, 'data-id': e.id, onclick: () => showDetail(e.id) });
    }));
  }
}

function eventItem(e) {
  const what = e.label ? `${e.label}${e.confidence != null ? ` (${Math.round(e.confidence * 100)} %)` : ''}` : (e.unverified ? 'unverified' : 'no verdict yet');
  return el('li', { 'data-id': e.id, onclick: () => showDetail(e.id) },
    el('div', { class: 'meta', text: `${e.start ?? e.time ?? ''} · ${e.camera} · ${e.rule} · ${e.phase}` }),
    el('div', { class: 'what', text: what }),
    e.description ? el('div', { class: 'description', text: e.description }) : null);
}

async function search(ev) {
  ev?.preventDefault();
  const params = new URLSearchParams();
  for (const [k, v] of new FormData($('search'))) {
    if (!v) continue;
    params.set(k, (k === 'from' || k === 'to') ? new Date(v).toISOString() : v);
  }
  const err = $('search-error');
  try {
    const page = await getJson(`/api/events?${params}`);
    err.hidden = true;
    $('results').replaceChildren(...page.items.map(eventItem));
    if (page.items.length === 0) $('results').append(el('li', { class: 'meta', text: 'nothing found' }));
  } catch (e) { err.textContent = e.message; err.hidden = false; }
}

async function showDetail(id) {
  let d;
  try { d = await getJson(`/api/events/${enc(id)}`); } catch (e) { return; }
  const e = d.event;
  $('detail-id').textContent = `${e.id} · ${e.camera} · ${e.rule}${e.zone ? ` · ${e.zone}` : ''}`;
  $('detail-verdict').textContent = e.label ? `${e.label} (confidence ${e.confidence})` : (e.unverified ? 'unverified: the model could not judge it' : 'no verdict');
  $('detail-description').textContent = e.description ?? '';
  $('detail-keyframes').replaceChildren(...d.keyframes.map((k) => el('figure', {},
    el('img', { src: k.url, alt: `keyframe ${k.index}`, loading: 'lazy' }),
    el('figcaption', { text: `${k.time} · offset ${k.offset}` }))));
  $('detail-lifecycle').replaceChildren(...d.lifecycle.map((l) => el('li', { text: `${l.phase} at ${l.time} (offset ${l.offset})` })));
  $('detail').hidden = false;
  $('detail').scrollIntoView({ block: 'nearest' });
}

function live() {
  const source = new EventSource('/api/events/stream');
  source.onmessage = (m) => {
    const e = JSON.parse(m.data);
    if (e.type !== 'alert') return;
    const list = $('live');
    list.querySelector(`[data-id="${CSS.escape(e.id)}"]`)?.remove();
    list.prepend(eventItem(e));
    while (list.children.length > 50) list.lastChild.remove();
    refreshTimelines();
  };
}

$('search').addEventListener('submit', search);
$('detail-close').addEventListener('click', () => { $('detail').hidden = true; });
live();
await refreshStatus();
await refreshTiles();
await refreshTimelines();
setInterval(refreshStatus, 5000);
setInterval(refreshTiles, 2000);
setInterval(refreshTimelines, 30000);
