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
th, td { padding: 9px 18px; text-align: left; border-bottom: 1px solid var(--line); white-space: nowrap; }
td.wrap { white-space: normal; }
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
  if (!region || !('EventSource' in window)) return;
  var timer = null, busy = false, again = false, dropped = false, toastTimer = null;

  function show(state, text) {
    if (!indicator) return;
    indicator.setAttribute('data-state', state);
    indicator.textContent = text;
  }

  function tell(text) {
    if (!toast) return;
    toast.textContent = text;
    toast.classList.add('show');
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toast.classList.remove('show'); }, 3500);
  }

  async function refresh(freshId) {
    if (busy) { again = true; return; }
    busy = true;
    try {
      var res = await fetch(region.getAttribute('data-live-src'), { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'text/html' } });
      if (res.status === 401 || res.status === 403) { window.location.assign('/dashboard/sign-in'); return; }
      if (res.ok) {
        region.innerHTML = await res.text();
        region.setAttribute('data-updated-at', new Date().toISOString());
        if (freshId) {
          var row = region.querySelector('[data-command-id="' + freshId + '"]');
          if (row) row.classList.add('fresh');
        }
      }
    } catch (e) {
      // Offline for a moment: the next event or reconnection refreshes again.
    } finally {
      busy = false;
      if (again) { again = false; refresh(); }
    }
  }

  var source = new EventSource('/dashboard/events');
  source.addEventListener('open', function () {
    show('live', 'Live');
    if (dropped) { dropped = false; refresh(); }
  });
  source.addEventListener('command', function (event) {
    var command = JSON.parse(event.data);
    tell(command.type.charAt(0).toUpperCase() + command.type.slice(1) + ' ' + command.status);
    clearTimeout(timer);
    timer = setTimeout(function () { refresh(command.id); }, 80);
  });
  source.addEventListener('error', function () {
    dropped = true;
    if (source.readyState === EventSource.CLOSED) {
      show('off', 'Offline');
      refresh();
    } else {
      show('wait', 'Reconnecting');
    }
  });
})();
`;
