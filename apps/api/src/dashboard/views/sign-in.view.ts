import { document } from './layout.js';
import { html, type SafeHtml } from './html.js';

/** The sign-in form. The key is posted in the body, never put back into the page. */
export function signInPage(options: { nonce: string; next?: string; error?: string }): SafeHtml {
  return document(
    'Sign in',
    options.nonce,
    html`<div class="signin"><div class="box">
  <div class="crumbs">Clinic Billing</div>
  <h1>Staff dashboard</h1>
  <p class="sub">Sign in with a staff API key (owner, billing or front desk).</p>
  ${options.error ? html`<p class="notice" role="alert" id="sign-in-error">${options.error}</p>` : ''}
  <form method="post" action="/dashboard/sign-in">
    <label>API key <input type="password" name="apiKey" autocomplete="off" spellcheck="false" required autofocus></label>
    ${options.next ? html`<input type="hidden" name="next" value="${options.next}">` : ''}
    <button type="submit">Sign in</button>
  </form>
  <p class="hint">The key is checked once: the browser keeps only a session cookie that does not contain it. Sessions last 12 hours; sign out on shared computers.</p>
</div></div>`,
  );
}

/** An error as a small page of its own, with a way back. */
export function errorPage(nonce: string, status: number, title: string, message: string): SafeHtml {
  return document(
    title,
    nonce,
    html`<div class="signin"><div class="box">
  <div class="crumbs">Clinic Billing · ${status}</div>
  <h1>${title}</h1>
  <p class="sub">${message}</p>
  <p class="hint"><a href="/dashboard">Back to the dashboard</a></p>
</div></div>`,
  );
}
