import { html, unsafeRaw, type SafeHtml } from './html.js';
import { SCRIPT, STYLES } from './assets.js';
import { label } from './format.js';

export interface PageChrome {
  title: string;
  /** CSP nonce of this response, for the embedded stylesheet and script. */
  nonce: string;
  clinicName: string;
  keyName: string;
  role: string;
  current: 'dashboard' | 'patients' | 'collections' | null;
  /** The session's CSRF token (for the sign-out form). */
  csrf: string;
  /** The clinic's time zone: the offline banner tells the time of the data in it. */
  timeZone: string;
}

/** A signed-in page: top bar (clinic, navigation, live status, sign-out), then the content. */
export function page(chrome: PageChrome, content: SafeHtml): SafeHtml {
  const nav = (href: string, name: PageChrome['current'], text: string) =>
    html`<a href="${href}"${chrome.current === name ? html` aria-current="page"` : ''}>${text}</a>`;
  return document(
    chrome.title,
    chrome.nonce,
    html`<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <div class="brand">Clinic Billing<small>${chrome.clinicName}</small></div>
  <nav aria-label="Main">${nav('/dashboard', 'dashboard', 'Dashboard')}${nav('/dashboard/patients', 'patients', 'Patients')}${nav('/dashboard/collections', 'collections', 'Collections')}</nav>
  <div class="who">
    <span id="live-indicator" class="live" data-state="wait">Connecting</span>
    <span class="key">${chrome.keyName} · ${label(chrome.role)}</span>
    <form method="post" action="/dashboard/sign-out"><input type="hidden" name="csrf" value="${chrome.csrf}"><button type="submit">Sign out</button></form>
  </div>
</header>
<div id="stale-banner" class="stale" role="alert" hidden data-time-zone="${chrome.timeZone}"></div>
<main id="main" tabindex="-1">
${content}
</main>
<div id="announcer" class="sr-only" role="status" aria-live="polite"></div>
<div id="toast" class="toast" role="status" aria-live="polite"></div>
<script nonce="${chrome.nonce}">${unsafeRaw(SCRIPT)}</script>`,
  );
}

/** The bare HTML document. */
export function document(title: string, nonce: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<link rel="icon" href="data:,">
<title>${title} · Clinic Billing</title>
<style nonce="${nonce}">${unsafeRaw(STYLES)}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
