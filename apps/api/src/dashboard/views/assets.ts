// The pages' stylesheet and script, embedded in each page (no build chain, no extra requests).

export const STYLES = `
:root {
  --bg: #f4f6f9; --panel: #fff; --line: #e2e6ec; --text: #1b2232; --muted: #667085;
  --accent: #2f5bea; --accent-dark: #2448c4; --ok: #137a45; --warn: #a45407; --bad: #bd2a1d; --top: #15203a;
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif; color: var(--text); background: var(--bg); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code { font: 12px/1 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--muted); }
.top { background: var(--top); color: #fff; display: flex; align-items: center; gap: 28px; padding: 0 28px; height: 54px; }
.brand { font-weight: 650; font-size: 15px; white-space: nowrap; }
.brand small { color: #9fabc3; font-weight: 400; margin-left: 10px; font-size: 13px; }
.top nav { display: flex; gap: 4px; align-self: stretch; }
.top nav a { color: #c3cbdc; display: flex; align-items: center; padding: 0 12px; }
.top nav a:hover { color: #fff; text-decoration: none; }
.top nav a[aria-current="page"] { color: #fff; box-shadow: inset 0 -3px 0 #7391ff; }
.who { margin-left: auto; display: flex; align-items: center; gap: 14px; color: #c3cbdc; font-size: 13px; white-space: nowrap; }
.who form { margin: 0; }
.who button { background: transparent; border: 1px solid #45506b; color: #e4e8f1; padding: 4px 12px; }
.who button:hover { background: #233053; }
.live { display: inline-flex; align-items: center; gap: 6px; }
.live::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: #7d879b; }
.live[data-state="live"]::before { background: #3fd07f; box-shadow: 0 0 0 3px rgba(63, 208, 127, .2); }
.live[data-state="wait"]::before { background: #f0b429; }
main { max-width: 1240px; margin: 0 auto; padding: 26px 28px 48px; }
h1 { font-size: 22px; margin: 0 0 2px; font-weight: 650; }
.sub { color: var(--muted); margin: 0; }
.toolbar { display: flex; align-items: flex-end; justify-content: space-between; gap: 16px; flex-wrap: wrap; margin-bottom: 22px; }
.toolbar .tools { display: flex; gap: 18px; flex-wrap: wrap; align-items: center; }
form.inline { display: flex; gap: 8px; align-items: center; margin: 0; }
label.field { display: flex; gap: 8px; align-items: center; color: var(--muted); font-size: 13px; }
input { font: inherit; padding: 7px 10px; border: 1px solid #c9d0db; border-radius: 7px; background: #fff; color: var(--text); }
input:focus { outline: 2px solid #b8c8ff; border-color: var(--accent); }
input[type="search"] { width: 300px; }
button, .button { font: inherit; font-weight: 550; padding: 7px 14px; border-radius: 7px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; display: inline-block; }
button:hover { background: var(--accent-dark); }
.button.secondary { background: #fff; color: var(--text); border-color: #c9d0db; }
.button.secondary:hover { background: #f0f3f8; text-decoration: none; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 14px; margin-bottom: 22px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 18px; }
.card .n { font-size: 28px; font-weight: 650; font-variant-numeric: tabular-nums; }
.card .l { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .05em; font-weight: 600; }
.card.alert .n { color: var(--bad); }
.card.warn .n { color: var(--warn); }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; margin-bottom: 22px; overflow: hidden; }
.panel > h2 { font-size: 15px; margin: 0; padding: 13px 18px; border-bottom: 1px solid var(--line); display: flex; justify-content: space-between; align-items: baseline; gap: 12px; }
.panel > h2 small { color: var(--muted); font-weight: 400; font-size: 13px; }
.panel .scroll { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; }
th, td { padding: 9px 12px; text-align: left; border-bottom: 1px solid var(--line); white-space: nowrap; }
th:first-child, td:first-child { padding-left: 18px; }
th:last-child, td:last-child { padding-right: 18px; }
td.wrap { white-space: normal; }
.tel { white-space: nowrap; }
.context a { text-decoration: underline; text-underline-offset: 2px; }
th { font-size: 11.5px; color: var(--muted); font-weight: 650; background: #f9fafc; text-transform: uppercase; letter-spacing: .04em; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:last-child td { border-bottom: 0; }
tbody tr:hover { background: #f6f8fc; }
.empty { padding: 18px; color: var(--muted); margin: 0; }
.more { padding: 10px 18px; color: var(--muted); border-top: 1px solid var(--line); margin: 0; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12px; font-weight: 600; }
.badge.ok { background: #e2f3e9; color: var(--ok); }
.badge.info { background: #e7ecfd; color: var(--accent); }
.badge.warn { background: #fcefd9; color: var(--warn); }
.badge.bad { background: #fbe4e1; color: var(--bad); }
.badge.muted { background: #edf0f4; color: var(--muted); }
.days { font-weight: 650; font-variant-numeric: tabular-nums; }
.days.late { color: var(--warn); }
.days.very-late { color: var(--bad); }
.days.today { color: var(--muted); font-weight: 500; }
.muted { color: var(--muted); }
.columns { display: grid; grid-template-columns: 3fr 2fr; gap: 22px; align-items: start; }
@media (max-width: 960px) { .columns { grid-template-columns: 1fr; } }
.feed { list-style: none; margin: 0; padding: 0; }
.feed li { padding: 10px 18px; border-bottom: 1px solid var(--line); display: grid; grid-template-columns: auto 1fr; gap: 2px 12px; }
.feed li:last-child { border-bottom: 0; }
.feed .what { overflow-wrap: anywhere; }
.feed .when { grid-column: 2; color: var(--muted); font-size: 12px; }
.feed li.fresh { animation: fresh 2.5s ease-out; }
@keyframes fresh { from { background: #fff6cc; } to { background: transparent; } }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 4px 0; margin: 0; padding: 8px 0; }
.facts div { padding: 8px 18px; }
.facts dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; font-weight: 600; }
.facts dd { margin: 2px 0 0; font-size: 15px; font-weight: 550; }
.crumbs { color: var(--muted); font-size: 13px; margin-bottom: 6px; }
.patient-head { display: flex; justify-content: space-between; align-items: baseline; gap: 12px; }
.patient-head .contact { color: var(--muted); font-size: 13px; font-weight: 400; }
.notice { padding: 10px 14px; border-radius: 8px; margin-bottom: 18px; background: #fbe4e1; color: var(--bad); border: 1px solid #f3c5bf; }
.toast { position: fixed; right: 22px; bottom: 22px; background: var(--top); color: #fff; padding: 10px 16px; border-radius: 8px; box-shadow: 0 8px 24px rgba(21, 32, 58, .25); opacity: 0; transform: translateY(8px); transition: opacity .2s, transform .2s; pointer-events: none; }
.toast.show { opacity: 1; transform: none; }
.signin { min-height: 100vh; display: flex; align-items: center; justify-content: center; padding: 24px; }
.signin .box { width: 100%; max-width: 400px; background: var(--panel); border: 1px solid var(--line); border-radius: 12px; padding: 30px 30px 26px; box-shadow: 0 10px 30px rgba(21, 32, 58, .07); }
.signin h1 { margin-bottom: 4px; }
.signin form { display: grid; gap: 14px; margin-top: 22px; }
.signin label { display: grid; gap: 6px; font-weight: 600; font-size: 13px; }
.signin .hint { color: var(--muted); font-size: 12.5px; margin: 16px 0 0; }
.signin .notice { margin: 18px 0 0; }

/* Issue 16: the skip link, screen-reader text, the stale banner, charts, forms, and the phone. */
.skip { position: absolute; left: 8px; top: -60px; background: #fff; color: var(--accent-dark); padding: 10px 14px; border-radius: 6px; z-index: 10; font-weight: 600; }
.skip:focus { top: 8px; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
main:focus { outline: none; }
.top { flex-wrap: wrap; height: auto; min-height: 54px; row-gap: 0; }
.top nav a { min-height: 44px; }
.who { flex-wrap: wrap; }
.who button { min-height: 36px; }
.crumbs a { color: #1d3fb8; text-decoration: underline; }
.crumbs { color: #475467; }
.stale { background: #fff4d6; color: #5c3c00; border-bottom: 1px solid #f0d48a; padding: 10px 28px; }
.stale a, .stale button { color: #1d3fb8; font-weight: 600; }
.notice.ok { background: #e2f3e9; color: #0d5c33; border-color: #b9e0c8; }
.reason { display: block; color: #9a3b00; font-size: 12px; font-weight: 500; white-space: normal; }
.filter { padding: 10px 18px; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
select { font: inherit; padding: 7px 10px; border: 1px solid #c9d0db; border-radius: 7px; background: #fff; color: var(--text); }
.feed .about { grid-column: 2; font-size: 13px; }
.scroll:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
tfoot th, tfoot td { background: #f9fafc; font-weight: 650; border-top: 1px solid var(--line); border-bottom: 0; }
details.pay summary { cursor: pointer; color: var(--accent-dark); font-weight: 600; list-style: none; display: inline-block; padding: 4px 0; }
details.pay summary::-webkit-details-marker { display: none; }
details.pay[open] summary { margin-bottom: 6px; }
.pay-form { display: grid; grid-template-columns: auto 1fr; gap: 6px 8px; align-items: center; min-width: 220px; }
.pay-form input { width: 120px; }
.pay-form button { grid-column: 1 / -1; }
form.action { display: inline; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 340px), 1fr)); gap: 0 22px; }
figure.chart { margin: 0 0 22px; }
figure.chart > svg { display: block; width: 100%; height: auto; padding: 8px 12px 0; }
figure.chart details { border-top: 1px solid var(--line); }
figure.chart details summary { padding: 10px 18px; cursor: pointer; color: var(--accent-dark); font-weight: 600; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 0; padding: 4px 18px 12px; font-size: 12.5px; color: #475467; }
.legend li { display: inline-flex; align-items: center; gap: 6px; }
.facts.small dd { font-size: 14px; }
svg .fig { font-size: 11px; fill: #1b2232; font-weight: 600; }
svg .axis { font-size: 11px; fill: #475467; }
svg .base { stroke: #d0d5dd; }
svg .line { fill: none; stroke-width: 2.2; }
svg .line.payments { stroke: #2f5bea; }
svg .line.recognized { stroke: #0f766e; stroke-dasharray: 5 3; }
svg .visits { fill: #98a2b3; }
svg .owed { fill: #7c3aed; }
#retried .retried-line { padding: 12px 18px; margin: 0; }
@media (max-width: 640px) {
  .top { padding: 6px 14px; gap: 4px 14px; }
  .top nav { order: 3; width: 100%; overflow-x: auto; }
  .who { margin-left: 0; gap: 8px 12px; white-space: normal; }
  .who button { min-height: 44px; }
  .stale { padding: 10px 14px; }
  main { padding: 18px 14px 40px; }
  input[type="search"] { width: 100%; }
  .toolbar .tools, form.inline { width: 100%; flex-wrap: wrap; }
  .toolbar .tools > * { flex: 1 1 100%; }
  button, .button, input, select, summary, .feed a, td a, .crumbs a { min-height: 44px; }
  summary { display: flex; align-items: center; }
  button, .button { padding: 10px 16px; }
  td a, .crumbs a, .feed a { display: inline-flex; align-items: center; }
  .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .panel > h2 { flex-wrap: wrap; }
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.stack, table.stack tbody, table.stack tfoot, table.stack tr { display: block; width: 100%; }
  table.stack tr { border-bottom: 1px solid var(--line); padding: 6px 0; }
  table.stack td, table.stack tfoot th { display: flex; justify-content: space-between; align-items: center; gap: 12px; border: 0; padding: 3px 14px; white-space: normal; text-align: right; overflow-wrap: anywhere; }
  table.stack td::before { content: attr(data-label); color: var(--muted); font-weight: 600; font-size: 12px; text-align: left; flex: 0 0 auto; }
  table.stack td:empty { display: none; }
  table.stack tfoot td[colspan] { display: none; }
  .pay-form { min-width: 0; }
  .toast { left: 12px; right: 12px; bottom: 12px; }
  .facts { grid-template-columns: repeat(2, minmax(0, 1fr)); }
}
`;

/**
 * Live updates: listen to /dashboard/events and, when a command of the clinic finishes,
 * re-fetch the page's live region (its data-live-src) and swap it in. A session that ended
 * (key revoked, expired) sends the page back to sign-in.
 */
export const SCRIPT = `
(function () {
  'use strict';
  var region = document.querySelector('[data-live-src]');
  var indicator = document.getElementById('live-indicator');
  var toast = document.getElementById('toast');
  var announcer = document.getElementById('announcer');
  var banner = document.getElementById('stale-banner');
  if (!region || !('EventSource' in window)) return;
  var STALE_MS = 10000, MAX_BACKOFF_MS = 30000;
  var timer = null, busy = false, again = null, toastTimer = null, source = null;
  var failures = 0, retryTimer = null, staleTimer = null, dataAt = new Date(), lastState = '';
  var pending = {};
  var clock;
  try { clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: banner && banner.getAttribute('data-time-zone') || undefined }); }
  catch (e) { clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }); }

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = '';
    setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function show(state, text) {
    if (!indicator || lastState === state) return;
    lastState = state;
    indicator.setAttribute('data-state', state);
    indicator.textContent = text;
    announce('Live updates: ' + text);
  }

  function tell(text) {
    if (!toast) return;
    toast.textContent = text;
    toast.classList.add('show');
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toast.classList.remove('show'); }, 5000);
  }

  // After STALE_MS without a connection: say how old the data is, and offer a reload.
  function armStale() {
    if (staleTimer) return;
    staleTimer = setTimeout(function () {
      if (!banner) return;
      banner.innerHTML = '';
      banner.appendChild(document.createTextNode('Live updates are off: data as of ' + clock.format(dataAt) + '. '));
      var link = document.createElement('a');
      link.href = window.location.pathname + window.location.search;
      link.textContent = 'Reload';
      banner.appendChild(link);
      banner.hidden = false;
    }, STALE_MS);
  }
  function clearStale() {
    clearTimeout(staleTimer);
    staleTimer = null;
    if (banner && !banner.hidden) { banner.hidden = true; banner.textContent = ''; }
  }

  async function refresh(freshId) {
    if (busy) { again = again || freshId || true; return; }
    busy = true;
    region.setAttribute('aria-busy', 'true');
    try {
      var res = await fetch(region.getAttribute('data-live-src'), { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'text/html' } });
      if (res.status === 401 || res.status === 403) { window.location.assign('/dashboard/sign-in'); return; }
      if (res.ok) {
        var text = await res.text();
        var focused = document.activeElement && document.activeElement.id;
        region.innerHTML = text;
        if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
        dataAt = new Date();
        region.setAttribute('data-updated-at', dataAt.toISOString());
        var said = false;
        if (freshId && freshId !== true) {
          var row = region.querySelector('[data-command-id="' + freshId + '"]');
          // A toast only for what this page shows, in its own words (naming the patient).
          if (row) {
            row.classList.add('fresh');
            var words = row.getAttribute('data-toast');
            if (words) { tell(words); announce((region.getAttribute('data-live-name') || 'Page') + ' updated: ' + words); said = true; }
          }
        }
        if (!said) announce((region.getAttribute('data-live-name') || 'Page') + ' updated at ' + clock.format(dataAt));
      }
    } catch (e) {
      // Offline for a moment: the next event or reconnection refreshes again.
    } finally {
      busy = false;
      region.removeAttribute('aria-busy');
      if (again) { var next = again; again = null; refresh(next); }
    }
  }

  // Our own reconnection, with backoff, after any error (EventSource gives up for good on a 502).
  function connect() {
    clearTimeout(retryTimer);
    if (source) source.close();
    armStale();
    source = new EventSource('/dashboard/events');
    source.addEventListener('open', function () {
      var wasDown = failures > 0;
      failures = 0;
      clearStale();
      show('live', 'Live');
      if (wasDown) refresh();
    });
    source.addEventListener('command', function (event) {
      var command = JSON.parse(event.data);
      clearTimeout(timer);
      pending = command.id;
      timer = setTimeout(function () { refresh(pending); }, 80);
    });
    source.addEventListener('error', function () {
      source.close();
      failures += 1;
      armStale();
      show('wait', 'Reconnecting');
      // A session that ended shows as a 401 here: the fragment's answer sends the page to sign-in.
      refresh();
      var delay = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, failures - 1)) * (0.8 + Math.random() * 0.4);
      retryTimer = setTimeout(connect, delay);
    });
  }
  connect();
})();
`;
