// jobsched dashboard: plain JavaScript, no framework, no outside resources.
// Every server string goes into the page through textContent / text nodes, never innerHTML,
// its invisible characters made visible (see `visible`).
'use strict';

(() => {
  const PAGE_SIZE = 50;
  const TOKEN_KEY = 'jobsched-token';
  const STATUSES = ['queued', 'running', 'success', 'failed', 'killed'];
  const FINISHED = new Set(['success', 'failed', 'killed']);
  const JOB_EVENTS = new Set(['submitted', 'started', 'placed', 'retried', 'edited', 'finished', 'killed']);
  const SVG_NS = 'http://www.w3.org/2000/svg';

  const $ = (id) => document.getElementById(id);
  const jobsBody = $('jobs-table').tBodies[0];
  const groupsBody = $('groups').tBodies[0];

  const state = {
    token: readToken(),
    authorized: false,   // a request has succeeded with the current token
    clockOffset: 0,      // server clock minus browser clock, in ms
    overview: null,
    you: null,           // the token's name and role, from /overview (null: the server has no tokens)
    jobs: [],            // the loaded page, newest first (server order)
    below: null,        // this page's `below=` id; null = the newest page
    pageStack: [],       // `below` values of the newer pages, for "Newer"
    hasOlder: false,
    filter: { status: '', group: '' },  // the server-side filters of the loaded page
    sort: { key: 'jobid', dir: -1 },
    loadSeq: 0,          // lets a page load ignore replies it was overtaken by
  };

  // ---------------------------------------------------------------- token
  function readToken() {
    try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch { return ''; }
  }

  function saveToken(token) {
    state.token = token;
    try { // storage may be disabled: then the token lives in memory only
      if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY);
    } catch { /* ignore */ }
  }

  // A 401: forget the token, hide all data and ask for a token.
  function askForToken(usedToken) {
    if (usedToken !== state.token) return; // a newer token is already in use
    $('token-hint').textContent = usedToken
      ? 'The server did not accept the token. Enter it again.'
      : 'This server needs an access token.';
    saveToken('');
    state.authorized = false;
    if (stream.controller) stream.controller.abort(); // it was opened with the old token
    hideData();
    setStreamState('waiting for token', 'off');
    const dialog = $('token-dialog');
    if (dialog.hidden) {
      dialog.hidden = false;
      $('token-input').value = '';
      $('token-input').focus();
    }
  }

  $('token-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const token = $('token-input').value.trim();
    if (!token) return;
    saveToken(token);
    $('token-input').value = '';
    $('token-dialog').hidden = true;
    showMessage('');
    start();
  });

  // ---------------------------------------------------------------- messages
  // `transient` messages (network trouble, shutdown) clear themselves once the stream is live again.
  function showMessage(text, kind = 'info', transient = false) {
    const box = $('message');
    box.replaceChildren(...visible(text));
    box.dataset.kind = text ? kind : '';
    box.dataset.transient = transient ? '1' : '';
  }

  function clearTransientMessage() {
    if ($('message').dataset.transient) showMessage('');
  }

  function setStreamState(text, kind) {
    const badge = $('stream-state');
    badge.textContent = text;
    badge.dataset.state = kind;
  }

  // ---------------------------------------------------------------- requests
  class AuthError extends Error {}
  class HttpError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  const isAbort = (err) => err && err.name === 'AbortError';
  const enc = encodeURIComponent;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // Shows an error in the message area; expected ones (abort, 401) stay quiet.
  function reportError(err) {
    if (isAbort(err) || err instanceof AuthError) return;
    if (err instanceof HttpError) showMessage(err.message, 'error');
    else showMessage('cannot reach the server', 'error', true);
  }

  // fetch with the token; throws AuthError on 401 and HttpError with the server's message otherwise.
  async function api(path, options = {}) {
    const usedToken = state.token;
    const headers = new Headers(options.headers);
    if (usedToken) headers.set('Authorization', 'Bearer ' + usedToken);
    const res = await fetch(path, { ...options, headers, cache: 'no-store', credentials: 'same-origin' });
    if (res.status === 401) {
      askForToken(usedToken);
      throw new AuthError('token needed');
    }
    if (!res.ok) throw new HttpError(res.status, await errorText(res));
    return res;
  }

  // The message of an error reply: JSON {"error": ...} or "Error: ..." text.
  async function errorText(res) {
    let text = '';
    try { text = (await res.text()).trim(); } catch { /* body lost */ }
    try {
      const data = JSON.parse(text);
      if (data && typeof data.error === 'string') return data.error;
    } catch { /* plain text reply */ }
    return text.replace(/^Error:\s*/, '') || `HTTP ${res.status}`;
  }

  async function readJSON(res) {
    const text = await res.text();
    try { return text ? JSON.parse(text) : {}; } catch { return { message: text.trim() }; }
  }

  const getJSON = async (path) => readJSON(await api(path));

  const post = async (path, body = '') => readJSON(await api(path,
    { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: String(body) }));

  // One line for the message area from an action's reply.
  function replyText(reply, fallback) {
    if (typeof reply.message === 'string') return { text: reply.message, error: false };
    if (Array.isArray(reply.results) && reply.results.length) {
      const lines = reply.results.map((r) => String(r.message || ''));
      const error = lines.some((line) => line.startsWith('Error:'));
      return { text: lines.map((line) => line.replace(/^Error:\s*/, '')).join('; '), error };
    }
    return { text: fallback, error: false };
  }

  // Runs a POST action from a button: disables it meanwhile, reports the outcome.
  async function act(path, button, fallback) {
    if (button) button.disabled = true;
    try {
      const reply = await post(path);
      const { text, error } = replyText(reply, fallback);
      showMessage(text, error ? 'error' : 'info');
      scheduleOverview();
      return reply;
    } catch (err) {
      reportError(err);
      return null;
    } finally {
      if (button) button.disabled = false;
      syncDetailButtons();
    }
  }

  // ---------------------------------------------------------------- time
  const serverNow = () => Date.now() + state.clockOffset;
  const pad = (n) => String(n).padStart(2, '0');

  function relativeTime(iso) {
    const t = Date.parse(iso);
    if (!iso || Number.isNaN(t)) return '—';
    const s = Math.max(0, Math.round((serverNow() - t) / 1000));
    const [unit, size] = s < 60 ? ['s', 1] : s < 3600 ? ['min', 60] : s < 86400 ? ['h', 3600] : ['d', 86400];
    return `${Math.floor(s / size)} ${unit} ago`;
  }

  function localTime(iso) {
    const t = Date.parse(iso);
    return !iso || Number.isNaN(t) ? '' : new Date(t).toLocaleString();
  }

  function duration(s) {
    s = Math.max(0, s);
    if (s < 10) return `${s.toFixed(1)} s`;
    if (s < 60) return `${Math.floor(s)} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min ${pad(Math.floor(s % 60))} s`;
    return `${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} min`;
  }

  // A running job's runtime ticks from `started` on the server's clock; others use `runtime`.
  function runtimeText(job) {
    let seconds = null;
    if (job.status === 'running' && job.started) seconds = (serverNow() - Date.parse(job.started)) / 1000;
    else if (job.runtime != null) seconds = Number(job.runtime);
    return seconds == null || Number.isNaN(seconds) ? '—' : duration(seconds);
  }

  // ---------------------------------------------------------------- DOM helpers
  // createElement with properties (`dataset` merged) and children (strings become text nodes).
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === 'dataset') Object.assign(node.dataset, value);
      else node[key] = value;
    }
    node.append(...children);
    return node;
  }

  function svgEl(tag, attrs = {}, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
    node.append(...children);
    return node;
  }

  function statusBadge(status) {
    const known = STATUSES.includes(status) ? status : 'unknown';
    return el('span', { className: `status status-${known}` }, String(status ?? '—'));
  }

  // A job whose notification (notify=) was given up: said beside its status.
  function notifyFailedBadge(job) {
    const delivery = job.notify_status;
    if (!delivery || delivery.status !== 'failed') return [];
    return [' ', el('span', { className: 'notify-failed', title: `notifying ${job.notify} failed: ${delivery.error ?? ''}` }, 'notify failed')];
  }

  function deliveryText(delivery) {
    if (delivery.status === 'delivered' || !delivery.attempts) return delivery.status;
    const attempts = `${delivery.attempts} attempt${delivery.attempts === 1 ? '' : 's'}`;
    return `${delivery.status} (${attempts}${delivery.error ? `: ${delivery.error}` : ''})`;
  }

  function returncodeBadge(code) {
    const nonzero = code != null && Number(code) !== 0;
    return el('span', { className: nonzero ? 'returncode nonzero' : 'returncode' }, code == null ? '—' : String(code));
  }

  const shorten = (text, max) => (text.length > max ? text.slice(0, max - 1) + '…' : text);

  // Control characters but tab and newlines, and the invisible format characters (Unicode Cf:
  // the bidirectional overrides U+202A–202E and isolates U+2066–2069 that reorder what follows,
  // zero-width spaces and joiners, U+FEFF, soft hyphens): what the server's text escapes.
  const HIDDEN = /[\p{Cf}\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/gu;
  // `\u202e`, as the server's text and JSON write it (a pair of escapes above U+FFFF).
  const escapeCode = (ch) => Array.from({ length: ch.length },
    (_, i) => '\\u' + ch.charCodeAt(i).toString(16).padStart(4, '0')).join('');

  // For attributes (title, aria-label): each hidden character as its escape.
  const visibleText = (text) => String(text ?? '').replace(HIDDEN, escapeCode);

  // For content: text nodes, and each hidden character as a marked escape, so that a name
  // holding U+202E shows it, and reads in its order, rather than reversed.
  function visible(text) {
    text = String(text ?? '');
    const parts = [];
    let last = 0;
    for (const match of text.matchAll(HIDDEN)) {
      if (match.index > last) parts.push(text.slice(last, match.index));
      const code = 'U+' + match[0].codePointAt(0).toString(16).toUpperCase().padStart(4, '0');
      parts.push(el('span', { className: 'hidden-char', title: code }, escapeCode(match[0])));
      last = match.index + match[0].length;
    }
    if (last < text.length) parts.push(text.slice(last));
    return parts;
  }

  // ---------------------------------------------------------------- overview
  async function loadOverview() {
    const ov = await getJSON('/overview?format=json');
    const serverTime = Date.parse(ov.now);
    if (!Number.isNaN(serverTime)) state.clockOffset = serverTime - Date.now();
    // The stream starts from the state just read: what changes after it is replayed, no gap.
    if (stream.lastEventId == null && ov.last_event_id != null) stream.lastEventId = String(ov.last_event_id);
    state.overview = ov;
    showData();
    renderOverview(ov);
    renderCharts(ov.activity || {});
  }

  // Refetches /overview at most once a second, however many events ask for it.
  let overviewTimer = null, overviewLast = 0;
  function scheduleOverview() {
    if (overviewTimer || !state.authorized) return;
    const wait = Math.max(0, overviewLast + 1000 - Date.now());
    overviewTimer = setTimeout(() => {
      overviewTimer = null;
      overviewLast = Date.now();
      loadOverview().catch(reportError);
    }, wait);
  }

  function renderOverview(ov) {
    const counts = ov.counts || {};
    for (const node of document.querySelectorAll('[data-count]')) node.textContent = String(counts[node.dataset.count] ?? 0);
    $('running-summary').textContent = `${counts.running ?? 0} / ${ov.max_running ?? '?'} running`;
    $('paused-all').hidden = !ov.paused_all;
    $('toggle-all').textContent = ov.paused_all ? 'Resume all' : 'Pause all';
    applyAccess(ov.you);
    renderResources(ov.resources || {});
    renderGroups(Array.isArray(ov.groups) ? ov.groups : []);
  }

  // What the token may do: the page leaves out the controls the server would
  // refuse (it still checks every request). No token: everything.
  function applyAccess(you) {
    state.you = you || null;
    const role = state.you ? state.you.role : 'admin';
    $('submit').hidden = role === 'read';
    $('toggle-all').hidden = role !== 'admin';
    // With tokens, jobs say whose they are.
    $('jobs-table').classList.toggle('with-owner', Boolean(state.you));
    syncDetailButtons();
  }

  // Whether the token may kill, restart or remove this job: an admin any, a submit token its own.
  function mayChange(job) {
    if (!state.you || state.you.role === 'admin') return true;
    return state.you.role === 'submit' && Boolean(job) && job.owner === state.you.name;
  }

  // A bar for each resource the server counts: used of total (memory in bytes).
  function renderResources(resources) {
    const names = Object.keys(resources);
    $('resources').hidden = names.length === 0;
    $('resources').replaceChildren(...names.map((name) => {
      const { used = 0, total = 0 } = resources[name] || {};
      const text = name === 'mem' ? `${bytesText(used)} / ${bytesText(total)}` : `${used} / ${total}`;
      return el('li', { dataset: { resource: name } },
        el('span', { className: 'resource-name' }, name),
        el('meter', { min: 0, max: total, value: used, title: `${name}: ${text} in use` }),
        el('span', { className: 'resource-used' }, text));
    }));
  }

  // 4294967296 -> "4.0G": powers of 1024, as mem= is written.
  function bytesText(bytes) {
    const units = ['', 'K', 'M', 'G', 'T'];
    let value = Number(bytes) || 0, unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
    return unit === 0 ? String(value) : `${value.toFixed(1)}${units[unit]}`;
  }

  function renderGroups(groups) {
    // Rows are rebuilt; keep keyboard focus on the same group's button.
    const focused = groupsBody.contains(document.activeElement)
      ? document.activeElement.closest('tr').dataset.group : null;
    groupsBody.replaceChildren(...groups.map(groupRow));
    if (focused != null) {
      const row = [...groupsBody.rows].find((tr) => tr.dataset.group === focused);
      if (row) row.querySelector('button').focus();
    }
  }

  function groupRow(g) {
    const paused = Boolean(g.paused);
    const button = el('button', { type: 'button', className: 'group-toggle', dataset: { action: paused ? 'resume' : 'pause' } },
      paused ? 'Resume' : 'Pause');
    button.setAttribute('aria-label', `${paused ? 'Resume' : 'Pause'} group ${visibleText(g.name)}`);
    return el('tr', { className: paused ? 'paused' : '', dataset: { group: String(g.name ?? '') } },
      el('th', { scope: 'row' }, ...visible(g.name)),
      el('td', {}, g.limit == null ? '—' : String(g.limit)),
      el('td', {}, paused ? 'yes' : 'no'),
      el('td', { className: 'num' }, String(g.queued ?? 0)),
      el('td', { className: 'num' }, String(g.running ?? 0)),
      el('td', {}, !state.you || state.you.role === 'admin' ? button : ''));
  }

  groupsBody.addEventListener('click', (ev) => {
    const button = ev.target.closest('button.group-toggle');
    if (!button) return;
    const group = button.closest('tr').dataset.group;
    const action = button.dataset.action;
    act(`/${action}?group=${enc(group)}&format=json`, button, `${action}d group ${group}`);
  });

  $('toggle-all').addEventListener('click', (ev) => {
    const action = state.overview && state.overview.paused_all ? 'resume' : 'pause';
    act(`/${action}?format=json`, ev.currentTarget, `${action}d all groups`);
  });

  // ---------------------------------------------------------------- charts
  function renderCharts(activity) {
    const numbers = (list) => (Array.isArray(list) ? list.map((v) => Number(v) || 0) : []);
    drawChart($('chart-finished'), numbers(activity.finished), 'bars', 'jobs finished per minute');
    drawChart($('chart-queued'), numbers(activity.queued), 'area', 'jobs queued');
  }

  // 60 per-minute values, oldest first, as bars or a filled line, with the max and time labels.
  function drawChart(svg, values, kind, label) {
    const W = 320, H = 120, left = 30, right = 8, top = 8, bottom = 20;
    const plotW = W - left - right, plotH = H - top - bottom, base = top + plotH;
    const n = Math.max(values.length, 1);
    const maxValue = values.length ? Math.max(...values) : 0;
    const scale = Math.max(1, maxValue);
    const x = (i) => left + (i / n) * plotW;
    const y = (v) => base - (v / scale) * plotH;

    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    svg.replaceChildren(
      svgEl('line', { x1: left, y1: top, x2: W - right, y2: top, class: 'grid' }),
      svgEl('line', { x1: left, y1: base, x2: W - right, y2: base, class: 'axis' }));

    if (kind === 'bars') {
      const width = Math.max(plotW / n - 1, 1);
      values.forEach((v, i) => {
        if (v <= 0) return;
        const tip = `${n - 1 - i} min ago: ${v}`;
        svg.append(svgEl('rect', { x: x(i) + 0.5, y: y(v), width, height: base - y(v), class: 'bar' },
          svgEl('title', {}, tip)));
      });
    } else if (values.length) {
      const points = values.map((v, i) => `${x(i + 0.5).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      const first = x(0.5).toFixed(1), last = x(n - 0.5).toFixed(1);
      svg.append(svgEl('polygon', { points: `${first},${base} ${points} ${last},${base}`, class: 'area' }));
      svg.append(svgEl('polyline', { points, class: 'line' }));
    }

    const text = (tx, ty, anchor, content) => svgEl('text', { x: tx, y: ty, 'text-anchor': anchor, class: 'label' }, content);
    svg.append(
      text(left - 4, top + 4, 'end', String(maxValue)),
      text(left - 4, base + 4, 'end', '0'),
      text(left, H - 4, 'start', '-60 min'),
      text(W - right, H - 4, 'end', 'now'));
    const now = values.length ? values[values.length - 1] : 0;
    svg.setAttribute('aria-label', `${label}, last hour: highest ${maxValue}, now ${now}`);
  }

  // ---------------------------------------------------------------- jobs table
  async function loadPage(below, stack = state.pageStack) {
    const seq = ++state.loadSeq;
    const filter = { status: $('filter-status').value, group: $('filter-group').value.trim() };
    // One more than a page tells whether an older page exists.
    const params = new URLSearchParams({ format: 'json', all: '1', sort: '-jobid', limit: String(PAGE_SIZE + 1) });
    if (below != null) params.set('below', String(below));
    if (filter.status) params.set('status', filter.status);
    if (filter.group) params.set('group', filter.group);
    const data = await getJSON('/jobinfo?' + params);
    if (seq !== state.loadSeq) return; // a newer load has started
    const jobs = Array.isArray(data.jobs) ? data.jobs : [];
    Object.assign(state, { jobs: jobs.slice(0, PAGE_SIZE), hasOlder: jobs.length > PAGE_SIZE, below, pageStack: stack, filter });
    showData();
    renderJobs();
  }

  // Server-side filters changed: back to the newest page.
  function reloadFirstPage() {
    const status = $('filter-status').value, group = $('filter-group').value.trim();
    if (status === state.filter.status && group === state.filter.group && state.below == null) return;
    loadPage(null, []).catch(reportError);
  }

  function passesFilters(job) {
    const { status, group } = state.filter;
    return (!status || status.split(',').includes(job.status)) && (!group || job.group === group);
  }

  function compareValues(a, b, key) {
    if (key === 'submitted') { a = Date.parse(a) || 0; b = Date.parse(b) || 0; }
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    return String(a ?? '').localeCompare(String(b ?? ''));
  }

  // The loaded rows after the text filter and the column sort (both client-side).
  function visibleJobs() {
    const q = $('filter-text').value.trim().toLowerCase().replace(/^#/, '');
    const matches = (job) => String(job.jobid).includes(q)
      || String(job.name ?? '').toLowerCase().includes(q)
      || String(job.command ?? '').toLowerCase().includes(q);
    const { key, dir } = state.sort;
    return state.jobs.filter((job) => !q || matches(job)).sort((a, b) => compareValues(a[key], b[key], key) * dir || b.jobid - a.jobid);
  }

  const rowJob = new WeakMap(); // tr -> the job object it shows

  function fillRow(tr, job) {
    const command = String(job.command ?? '');
    tr.replaceChildren(
      el('td', { className: 'col-id num' }, String(job.jobid)),
      el('td', { className: 'col-name' }, ...visible(job.name)),
      el('td', { className: 'col-group' }, ...visible(job.group)),
      el('td', { className: 'col-owner' }, ...visible(job.owner ?? '—')),
      el('td', { className: 'col-status' }, statusBadge(job.status), ...notifyFailedBadge(job)),
      el('td', { className: 'col-rc num' }, returncodeBadge(job.returncode)),
      el('td', { className: 'col-submitted', title: localTime(job.submitted) }, relativeTime(job.submitted)),
      el('td', { className: 'col-runtime num' }, runtimeText(job)),
      el('td', { className: 'col-command', title: visibleText(command) }, ...visible(shorten(command, 60))));
    rowJob.set(tr, job);
    return tr;
  }

  const jobRow = (job) => fillRow(el('tr', { tabIndex: 0, dataset: { jobid: String(job.jobid) } }), job);

  // Updates the table in place: unchanged rows are kept, so focus and clicks survive updates.
  function renderJobs() {
    const existing = new Map([...jobsBody.rows].map((tr) => [Number(tr.dataset.jobid), tr]));
    const wanted = visibleJobs().map((job) => {
      const tr = existing.get(job.jobid);
      if (!tr) return jobRow(job);
      if (rowJob.get(tr) !== job) fillRow(tr, job);
      return tr;
    });
    wanted.forEach((tr, i) => {
      if (jobsBody.rows[i] !== tr) jobsBody.insertBefore(tr, jobsBody.rows[i] || null);
    });
    while (jobsBody.rows.length > wanted.length) jobsBody.lastElementChild.remove();
    markSelected();

    const empty = $('jobs-empty');
    empty.hidden = wanted.length > 0;
    empty.textContent = state.jobs.length ? 'No loaded job matches the search.' : 'No jobs.';
    $('page-newer').disabled = state.below == null;
    $('page-older').disabled = !state.hasOlder;
    const ids = state.jobs.map((job) => job.jobid);
    $('page-info').textContent = ids.length
      ? `jobs ${Math.max(...ids)}–${Math.min(...ids)}${state.below == null ? ' (newest)' : ''}` : '';
    updateSortHeaders();
  }

  function markSelected() {
    for (const tr of jobsBody.rows) tr.classList.toggle('selected', Number(tr.dataset.jobid) === detail.jobid);
  }

  function updateSortHeaders() {
    for (const th of $('jobs-table').tHead.querySelectorAll('th[data-sort]')) {
      if (th.dataset.sort !== state.sort.key) th.removeAttribute('aria-sort');
      else th.setAttribute('aria-sort', state.sort.dir > 0 ? 'ascending' : 'descending');
    }
  }

  // Every second: relative times and running jobs' runtimes.
  function tick() {
    for (const tr of jobsBody.rows) {
      const job = rowJob.get(tr);
      if (!job) continue;
      tr.querySelector('.col-submitted').textContent = relativeTime(job.submitted);
      if (job.status === 'running') tr.querySelector('.col-runtime').textContent = runtimeText(job);
    }
    const runtime = $('job-fields').querySelector('dd[data-field="runtime"]');
    if (runtime && detail.job && detail.job.status === 'running') runtime.textContent = runtimeText(detail.job);
  }

  $('jobs-table').tHead.addEventListener('click', (ev) => {
    const th = ev.target.closest('th[data-sort]');
    if (!th) return;
    const key = th.dataset.sort;
    const newestFirst = key === 'jobid' || key === 'submitted';
    state.sort = state.sort.key === key ? { key, dir: -state.sort.dir } : { key, dir: newestFirst ? -1 : 1 };
    renderJobs();
  });

  jobsBody.addEventListener('click', (ev) => {
    const tr = ev.target.closest('tr[data-jobid]');
    if (tr) openJob(Number(tr.dataset.jobid));
  });

  jobsBody.addEventListener('keydown', (ev) => {
    const tr = ev.target.closest('tr[data-jobid]');
    if (!tr || ev.target !== tr) return;
    if (ev.key !== 'Enter' && ev.key !== ' ') return;
    ev.preventDefault();
    openJob(Number(tr.dataset.jobid));
  });

  $('filter-status').addEventListener('change', reloadFirstPage);

  let groupFilterTimer = null;
  $('filter-group').addEventListener('input', () => {
    clearTimeout(groupFilterTimer);
    groupFilterTimer = setTimeout(reloadFirstPage, 400);
  });

  $('filter-text').addEventListener('input', renderJobs);

  $('page-older').addEventListener('click', () => {
    if (!state.hasOlder || !state.jobs.length) return;
    const oldest = Math.min(...state.jobs.map((job) => job.jobid));
    loadPage(oldest, [...state.pageStack, state.below]).catch(reportError);
  });

  $('page-newer').addEventListener('click', () => {
    if (state.below == null) return;
    loadPage(state.pageStack.at(-1) ?? null, state.pageStack.slice(0, -1)).catch(reportError);
  });

  // ---------------------------------------------------------------- submit
  $('submit-form').addEventListener('submit', async (ev) => {
    ev.preventDefault(); // form-action 'none': never navigate
    const command = $('submit-command').value;
    if (!command.trim()) return showMessage('a command is required', 'error');
    const body = new URLSearchParams({ command, sync: '0' });
    const optional = { name: 'submit-name', group: 'submit-group', priority: 'submit-priority', delay: 'submit-delay',
      cpus: 'submit-cpus', mem: 'submit-mem', gpus: 'submit-gpus', notify: 'submit-notify' };
    for (const [field, id] of Object.entries(optional)) {
      const value = $(id).value.trim();
      if (value) body.set(field, value);
    }
    // Accept "1, 2 3" as well as "1,2,3".
    const after = $('submit-after').value.split(/[\s,]+/).filter(Boolean).join(',');
    if (after) body.set('after', after);

    const button = $('submit-button');
    button.disabled = true;
    try {
      const reply = await post('/submit?format=json', body);
      $('submit-command').value = '';
      showMessage(reply.jobid != null ? `job ${reply.jobid} submitted` : 'job submitted');
    } catch (err) {
      reportError(err);
    } finally {
      button.disabled = false;
    }
  });

  // ---------------------------------------------------------------- job detail
  const detail = { jobid: null, job: null, output: null /* AbortController of the output fetch */ };

  const FIELD_ORDER = ['jobid', 'name', 'group', 'owner', 'status', 'returncode', 'command', 'msg',
    'submitted', 'started', 'finished', 'runtime', 'pid', 'priority', 'after', 'afterany',
    'notbefore', 'timeout', 'retries', 'retry_delay', 'attempts', 'cpus', 'mem', 'gpus', 'gpu_ids', 'cpu_ids',
    'sync', 'cwd', 'env', 'outlog', 'errlog', 'notify', 'notify_status'];
  const TIME_FIELDS = new Set(['submitted', 'started', 'finished', 'notbefore']);
  const SECONDS_FIELDS = new Set(['timeout', 'retry_delay', 'cpu_user', 'cpu_system']);

  async function fetchJob(jobid) {
    const data = await getJSON(`/jobinfo?format=json&jobid=${enc(jobid)}`);
    const job = Array.isArray(data.jobs) ? data.jobs[0] : (data.job || data);
    if (!job || job.jobid == null) throw new HttpError(404, `job ${jobid} not found`);
    return job;
  }

  function openJob(jobid) {
    if (!Number.isFinite(jobid)) return;
    if (detail.jobid !== jobid) {
      stopOutput();
      detail.job = null; // so showJob starts this job's output
      $('output').replaceChildren();
      $('job-fields').replaceChildren();
      $('job-title').textContent = `Job ${jobid}`;
    }
    detail.jobid = jobid;
    $('job-detail').hidden = false;
    markSelected();
    const known = state.jobs.find((job) => job.jobid === jobid);
    if (known) showJob(known);
    $('job-title').focus();
    refreshDetail();
  }

  // Fetches the open job afresh; `restartOutput` also starts its output over.
  function refreshDetail(restartOutput = false) {
    const jobid = detail.jobid;
    if (jobid == null) return;
    fetchJob(jobid).then((job) => {
      if (detail.jobid !== jobid) return;
      if (restartOutput) detail.job = null;
      showJob(job);
    }).catch((err) => { if (detail.jobid === jobid) reportError(err); });
  }

  function closeJob() {
    const jobid = detail.jobid;
    if (jobid == null) return;
    stopOutput();
    detail.jobid = null;
    detail.job = null;
    $('job-detail').hidden = true;
    $('output').replaceChildren();
    markSelected();
    const row = jobsBody.querySelector(`tr[data-jobid="${Number(jobid)}"]`);
    if (row) row.focus();
  }

  // Shows the job's fields; (re)starts the output when the job is new here or has started or ended.
  function showJob(job) {
    const previous = detail.job && detail.job.jobid === job.jobid ? detail.job : null;
    detail.job = job;
    $('job-title').replaceChildren(...visible(`Job ${job.jobid}${job.name ? ' — ' + job.name : ''}`));
    renderFields(job);
    syncDetailButtons();
    const started = job.status === 'running' && (!previous || previous.status !== 'running');
    const ended = FINISHED.has(job.status) && (!previous || !FINISHED.has(previous.status));
    if (!previous || started || ended) loadOutput(job);
  }

  function renderFields(job) {
    const keys = [...FIELD_ORDER.filter((key) => key in job), ...Object.keys(job).filter((key) => !FIELD_ORDER.includes(key))];
    $('job-fields').replaceChildren(...keys.map((key) =>
      el('div', { className: 'field' }, el('dt', {}, key), fieldValue(key, job[key], job))));
  }

  function fieldValue(key, value, job) {
    const dd = el('dd', { dataset: { field: key } });
    if (key === 'status') dd.append(statusBadge(value));
    else if (key === 'returncode') dd.append(returncodeBadge(value));
    else if (key === 'runtime') dd.append(runtimeText(job));
    else if (key === 'after' || key === 'afterany') dd.append(...dependencyLinks(value));
    else if (value == null || value === '') dd.append('—');
    else if (TIME_FIELDS.has(key)) {
      dd.title = String(value);
      dd.append(`${localTime(value)} (${relativeTime(value)})`);
    } else if (SECONDS_FIELDS.has(key)) dd.append(`${value} s`);
    else if (key === 'mem') dd.append(bytesText(value));
    else if (key === 'notify_status') {
      dd.append(...visible(deliveryText(value)));
      if (value.status === 'failed') dd.className = 'notify-failed';
    }
    else if (typeof value === 'boolean') dd.append(value ? 'yes' : 'no');
    else if (Array.isArray(value)) {
      dd.className = 'lines';
      dd.append(...(value.length ? visible(value.map(String).join('\n')) : ['—']));
    } else if (typeof value === 'object') dd.append(...visible(JSON.stringify(value)));
    else dd.append(...visible(value));
    if (key === 'command') dd.className = 'code';
    return dd;
  }

  function dependencyLinks(ids) {
    if (!Array.isArray(ids) || !ids.length) return ['—'];
    return ids.map((id) => el('button',
      { type: 'button', className: 'job-link', title: `open job ${id}`, dataset: { jobid: String(id) } }, `#${id}`));
  }

  function syncDetailButtons() {
    const status = detail.job ? detail.job.status : null;
    $('job-kill').disabled = !(status === 'queued' || status === 'running');
    $('job-restart').disabled = !FINISHED.has(status);
    $('job-remove').disabled = !FINISHED.has(status);
    const may = mayChange(detail.job);
    for (const action of ['kill', 'restart', 'remove']) $(`job-${action}`).hidden = !may;
  }

  async function jobAction(action) {
    const jobid = detail.jobid;
    if (jobid == null) return;
    const fallback = { kill: `job ${jobid} killed`, restart: `job ${jobid} restarted`, remove: `job ${jobid} removed` }[action];
    const reply = await act(`/${action}?jobid=${enc(jobid)}&format=json`, $(`job-${action}`), fallback);
    if (!reply) return;
    const newIds = reply.jobids || (reply.jobid != null ? [reply.jobid] : []);
    if (action === 'restart' && newIds.length) showMessage(`job ${jobid} restarted as job ${newIds.join(', ')}`);
    const refused = (reply.results || []).some((r) => r.removed === false);
    if (action === 'remove' && !refused && detail.jobid === jobid) closeJob();
    if (detail.jobid === jobid) refreshDetail(); // in case the event stream is down
    loadPage(state.below).catch(reportError);
  }

  for (const action of ['kill', 'restart', 'remove']) $(`job-${action}`).addEventListener('click', () => jobAction(action));
  $('job-close').addEventListener('click', closeJob);

  $('job-fields').addEventListener('click', (ev) => {
    const link = ev.target.closest('button.job-link');
    if (link) openJob(Number(link.dataset.jobid));
  });

  $('job-detail').addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') closeJob();
  });

  // ---------------------------------------------------------------- output
  function stopOutput() {
    if (detail.output) detail.output.abort();
    detail.output = null;
  }

  const setOutputState = (text) => { $('output-state').textContent = text; };

  function appendOutput(text) {
    if (!text) return;
    const pre = $('output');
    const atBottom = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 24;
    pre.append(text);
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  }

  // Fetches the job's output; a running job's output is followed until the job ends.
  async function loadOutput(job) {
    stopOutput();
    const controller = new AbortController();
    detail.output = controller;
    const pre = $('output');
    pre.replaceChildren();
    pre.classList.remove('output-error');
    const follow = job.status === 'running';
    setOutputState(follow ? 'following live' : 'loading');
    const url = `/output?jobid=${enc(job.jobid)}&stream=${enc($('output-stream').value)}${follow ? '&follow=1' : ''}`;
    try {
      const res = await api(url, { signal: controller.signal });
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        appendOutput(decoder.decode(value, { stream: true }));
      }
      appendOutput(decoder.decode());
      if (detail.output === controller) {
        detail.output = null;
        setOutputState(pre.textContent ? 'complete' : job.status === 'queued' ? 'not started yet' : 'no output');
      }
    } catch (err) {
      if (isAbort(err) || err instanceof AuthError || detail.output !== controller) return;
      detail.output = null;
      if (!(err instanceof HttpError)) { setOutputState('connection lost'); return; }
      // e.g. 409: the output went to a file; the message says where.
      pre.textContent = err.message;
      pre.classList.add('output-error');
      setOutputState('');
    }
  }

  $('output-stream').addEventListener('change', () => {
    if (detail.job) loadOutput(detail.job);
  });

  // ---------------------------------------------------------------- event stream
  const stream = { running: false, lastEventId: null, controller: null };
  const pendingEvents = [];
  let flushTimer = null;

  // Reads /events with fetch (EventSource cannot send the token) and reconnects with back-off.
  async function runEvents() {
    if (stream.running) return;
    stream.running = true;
    let delay = 1000;
    let connectedBefore = false;
    while (state.authorized) {
      setStreamState(connectedBefore ? 'reconnecting' : 'connecting', 'connecting');
      try {
        const headers = stream.lastEventId == null ? {} : { 'Last-Event-ID': stream.lastEventId };
        stream.controller = new AbortController();
        const res = await api('/events', { headers, signal: stream.controller.signal });
        setStreamState('live', 'live');
        clearTransientMessage();
        // Without an event id the server cannot replay what we missed while away.
        if (connectedBefore && stream.lastEventId == null) reloadAll();
        connectedBefore = true;
        delay = 1000;
        await readEvents(res.body);
      } catch (err) {
        if (err instanceof AuthError) break;
        if (err instanceof HttpError) showMessage(`event stream: ${err.message}`, 'error', true);
      }
      if (!state.authorized) break;
      setStreamState('reconnecting', 'reconnecting');
      await sleep(delay);
      delay = Math.min(delay * 2, 10000);
    }
    stream.running = false;
  }

  async function readEvents(body) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let event = { type: '', data: [], id: null };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      // A trailing "\r" may be the first half of "\r\n": keep it for the next chunk.
      const cut = buffer.endsWith('\r') ? buffer.length - 1 : buffer.length;
      const lines = buffer.slice(0, cut).split(/\r\n|\r|\n/);
      buffer = lines.pop() + buffer.slice(cut);
      for (const line of lines) event = sseLine(line, event);
    }
  }

  // One line of the SSE format; a blank line dispatches the event collected so far.
  function sseLine(line, event) {
    if (line === '') {
      if (event.id != null) stream.lastEventId = event.id;
      if (event.data.length) queueEvent(event.type || 'message', event.data.join('\n'));
      return { type: '', data: [], id: null };
    }
    if (line.startsWith(':')) return event; // comment / keepalive
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') event.data.push(value);
    else if (field === 'event') event.type = value;
    else if (field === 'id' && !value.includes('\0')) event.id = value;
    return event;
  }

  // Events are applied in batches so that thousands at once cost one table update.
  function queueEvent(type, text) {
    let data;
    try { data = JSON.parse(text); } catch { return; }
    pendingEvents.push({ type, data });
    if (!flushTimer) flushTimer = setTimeout(flushEvents, 150);
  }

  function flushEvents() {
    flushTimer = null;
    const changes = new Map(); // jobid -> the job now, or null when removed
    let overview = false, reload = false;
    for (const { type, data } of pendingEvents.splice(0)) {
      const hasId = data && data.jobid != null;
      if (JOB_EVENTS.has(type) && hasId) changes.set(data.jobid, data);
      else if (type === 'removed' && data && Array.isArray(data.ranges)) removedShown(data.ranges, changes);
      else if (type === 'reset') reload = true;
      else if (type === 'shutdown') showMessage('server is shutting down', 'warning', true);
      overview ||= hasId || type === 'group' || type === 'removed';
    }
    if (reload) { reloadAll(); return; } // the reload supersedes the single changes
    if (changes.size) applyJobChanges(changes);
    if (overview) scheduleOverview();
  }

  // A removal names its jobs as ranges ([[first, last], …]): the rows shown and the open job in them go.
  function removedShown(ranges, changes) {
    const removed = (id) => ranges.some(([first, last]) => id >= first && id <= last);
    for (const job of state.jobs) if (removed(job.jobid)) changes.set(job.jobid, null);
    if (detail.jobid != null && removed(detail.jobid)) changes.set(detail.jobid, null);
  }

  function applyJobChanges(changes) {
    const shown = new Set(state.jobs.map((job) => job.jobid));
    const newestPage = state.below == null;
    let jobs = state.jobs.filter((job) => !changes.has(job.jobid));
    for (const [id, job] of changes) {
      // On the newest page new jobs go on top; other pages only update the rows they show.
      if (job && passesFilters(job) && (shown.has(id) || newestPage)) jobs.push(job);
    }
    jobs.sort((a, b) => b.jobid - a.jobid);
    if (jobs.length > PAGE_SIZE) {
      jobs = jobs.slice(0, PAGE_SIZE);
      state.hasOlder = true;
    }
    state.jobs = jobs;
    renderJobs();

    if (detail.jobid != null && changes.has(detail.jobid)) {
      const job = changes.get(detail.jobid);
      if (job) return showJob(job);
      showMessage(`job ${detail.jobid} was removed`);
      closeJob();
    }
  }

  // Overview, current page and open job, fetched afresh (after `reset` or a gap in the stream).
  function reloadAll() {
    loadOverview().catch(reportError);
    loadPage(state.below).catch(reportError);
    refreshDetail(true); // its output may have moved on too
  }

  // ---------------------------------------------------------------- start
  function showData() {
    state.authorized = true;
    $('dashboard').hidden = false;
    $('token-dialog').hidden = true;
  }

  // No data may stay on screen without a valid token.
  function hideData() {
    $('dashboard').hidden = true;
    closeJob();
    state.jobs = []; state.overview = null;
    jobsBody.replaceChildren();
    groupsBody.replaceChildren();
    for (const node of document.querySelectorAll('[data-count]')) node.textContent = '';
    $('running-summary').textContent = '';
    for (const svg of document.querySelectorAll('svg.chart')) svg.replaceChildren();
  }

  // One request first, so a missing token costs a single 401; then the page and the stream.
  let startRetry = null;
  async function start() {
    clearTimeout(startRetry);
    try {
      await loadOverview();
    } catch (err) {
      if (err instanceof AuthError) return;
      reportError(err);
      startRetry = setTimeout(start, 5000);
      return;
    }
    clearTransientMessage();
    runEvents(); // below the page, so that no change falls between the two
    await loadPage(state.below).catch(reportError);
  }

  setInterval(tick, 1000);
  // Keeps the charts' last minute moving even when nothing happens.
  setInterval(() => { if (state.authorized) scheduleOverview(); }, 30000);
  syncDetailButtons();
  start();
})();
