// Helpers of the dashboard suites: signing in through the form, reading the event stream.
import type { TestEnv } from './harness.js';
import { bearer, type TestClinic } from './helpers.js';

// The one way the suites start a browser (the Chromium npm installs, or CHROMIUM_PATH).
export { launchBrowser } from './browser.js';

export const SESSION_COOKIE = 'cb_dashboard_session';

/** Posts the sign-in form as the browser would (same Origin). */
export function postSignIn(env: TestEnv, apiKey: string, headers: Record<string, string> = { Origin: env.baseUrl }) {
  return env.http().post('/dashboard/sign-in').set(headers).type('form').send({ apiKey });
}

/** Signs in and returns the Cookie header value to send on later requests. */
export async function signIn(env: TestEnv, apiKey: string): Promise<string> {
  const res = await postSignIn(env, apiKey);
  if (res.status !== 303) throw new Error(`sign-in: ${res.status} ${res.text}`);
  return sessionCookie(res.headers['set-cookie']);
}

export function sessionCookie(setCookie: string | string[] | undefined): string {
  const line = ([] as string[]).concat(setCookie ?? []).find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!line) throw new Error('no session cookie was set');
  return line.split(';')[0];
}

/** A new key of a role (so a test may revoke it); returns the key and its id. */
export async function createKey(env: TestEnv, clinic: TestClinic, role: string, name = `dash-${role}`) {
  const res = await env.http().post('/v1/api-keys').set(bearer(clinic.keys.owner)).send({ name, role });
  if (res.status !== 201) throw new Error(`create key: ${res.status} ${res.text}`);
  return { key: res.body.key as string, id: res.body.id as string };
}

export async function revokeKey(env: TestEnv, clinic: TestClinic, id: string): Promise<void> {
  const res = await env.http().delete(`/v1/api-keys/${id}`).set(bearer(clinic.keys.owner));
  if (res.status !== 204) throw new Error(`revoke key: ${res.status} ${res.text}`);
}

export interface StreamEvent {
  event: string;
  id?: string;
  data: string;
}

/** An open /dashboard/events stream, parsed as it arrives. */
export async function openEventStream(env: TestEnv, cookie: string) {
  const abort = new AbortController();
  const res = await fetch(`${env.baseUrl}/dashboard/events`, { headers: { cookie, accept: 'text/event-stream' }, signal: abort.signal });
  const events: StreamEvent[] = [];
  const waiters = new Set<() => void>();
  let ended = false;
  const done = (async () => {
    if (!res.body) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done: finished } = await reader.read();
        if (finished) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: StreamEvent = { event: 'message', data: '' };
          let hasData = false;
          for (const line of block.split('\n')) {
            const [field, ...rest] = line.split(':');
            const value = rest.join(':').replace(/^ /, '');
            if (field === 'event') event.event = value;
            if (field === 'id') event.id = value;
            if (field === 'data') {
              event.data += value;
              hasData = true;
            }
          }
          if (hasData) events.push(event);
          for (const wake of waiters) wake();
        }
      }
    } catch {
      // aborted
    } finally {
      ended = true;
      for (const wake of waiters) wake();
    }
  })();

  return {
    status: res.status,
    headers: res.headers,
    events,
    get ended() {
      return ended;
    },
    /** Resolves with the first event matching, or rejects after the timeout or if the stream ends. */
    waitFor(match: (e: StreamEvent) => boolean, timeoutMs = 5000): Promise<StreamEvent> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (found) finish(() => resolve(found));
          else if (ended) finish(() => reject(new Error(`stream ended without the event; got ${JSON.stringify(events)}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`no such event within ${timeoutMs} ms; got ${JSON.stringify(events)}`))), timeoutMs);
        const finish = (then: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          then();
        };
        waiters.add(check);
        check();
      });
    },
    /** Resolves when the server ends the stream (or rejects after the timeout). */
    waitForEnd(timeoutMs = 5000): Promise<void> {
      return Promise.race([done, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('stream still open')), timeoutMs).unref())]);
    },
    close: async () => {
      abort.abort();
      await done;
    },
  };
}

/** The session's CSRF token, from a page's hidden field. */
export function csrfOf(text: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(text);
  if (!match) throw new Error('no CSRF field in the page');
  return match[1];
}
