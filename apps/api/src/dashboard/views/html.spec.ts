import { escapeHtml, html, unsafeRaw } from './html.js';

describe('html tagged template', () => {
  it('escapes interpolated text, in content and in attributes', () => {
    const name = `<script>alert("x")</script> & 'y'`;
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</p>',
    );
  });

  it('nests safe fragments and arrays without escaping them twice', () => {
    const items = ['a<b', 'c&d'].map((t) => html`<li>${t}</li>`);
    expect(html`<ul>${items}</ul>`.value).toBe('<ul><li>a&lt;b</li><li>c&amp;d</li></ul>');
  });

  it('renders nothing for null, undefined and false, and numbers as text', () => {
    expect(html`${null}${undefined}${false}${0}${12}`.value).toBe('012');
  });

  it('passes explicitly trusted markup through', () => {
    expect(html`${unsafeRaw('<b>ok</b>')}`.value).toBe('<b>ok</b>');
    expect(escapeHtml('`')).toBe('&#96;');
  });
});

describe('withShortIds', () => {
  it('shortens the UUIDs of a text and escapes the rest', async () => {
    const { withShortIds } = await import('./format.js');
    const id = '01a21335-f83c-7636-a352-d9a1a2ef3616';
    expect(withShortIds(`Redeemed <1> on invoice ${id}`).value).toBe(`Redeemed &lt;1&gt; on invoice <code title="${id}">…a2ef3616</code>`);
    expect(withShortIds('no ids').value).toBe('no ids');
  });
});
