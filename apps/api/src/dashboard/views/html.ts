/** HTML that is already safe to send: built by `html`, so its interpolations were escaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c]);
}

/**
 * Tagged template for markup: every interpolated value is escaped, except SafeHtml (markup
 * built the same way). Arrays are joined; null, undefined and false render nothing.
 * Put interpolations in attributes between quotes: `<a href="${url}">`.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** Trusted markup that is not built with `html` (the page's own stylesheet and script). */
export function unsafeRaw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
