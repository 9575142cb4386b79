// Reading the PDFs the API answers: their text (pdfjs-dist's Node build), and page 1 as a PNG
// rendered by pdf.js inside the tests' headless Chromium (its canvas; no canvas package, no poppler).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';

const pdfjsDir = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));

/** Each page's text, its items joined by spaces. */
export async function pdfText(data: Buffer): Promise<string[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  pdfjs.GlobalWorkerOptions.workerSrc = join(pdfjsDir, 'legacy/build/pdf.worker.mjs');
  const task = pdfjs.getDocument({ data: new Uint8Array(data), standardFontDataUrl: join(pdfjsDir, 'standard_fonts/') });
  const doc = await task.promise;
  try {
    const pages: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const content = await (await doc.getPage(n)).getTextContent();
      pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' ').replace(/\s+/g, ' '));
    }
    return pages;
  } finally {
    await task.destroy();
  }
}

/** Page 1 of a PDF as PNG bytes, drawn by pdf.js on a canvas in the browser page given. */
export async function pdfPageToPng(page: Page, data: Buffer, scale = 2): Promise<Buffer> {
  await page.setContent('<!doctype html><html><body style="margin:0;background:#fff"><canvas id="pdf"></canvas></body></html>');
  // The worker module defines globalThis.pdfjsWorker, which pdf.js then runs on the page itself.
  await page.addScriptTag({ content: await readFile(join(pdfjsDir, 'build/pdf.worker.min.mjs'), 'utf8'), type: 'module' });
  await page.addScriptTag({ content: await readFile(join(pdfjsDir, 'build/pdf.min.mjs'), 'utf8'), type: 'module' });
  await page.waitForFunction(() => 'pdfjsLib' in globalThis && 'pdfjsWorker' in globalThis);
  const png = await page.evaluate(
    async ({ base64, scale }) => {
      const lib = (globalThis as any).pdfjsLib;
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const doc = await lib.getDocument({ data: bytes }).promise;
      const first = await doc.getPage(1);
      const viewport = first.getViewport({ scale });
      const canvas = (globalThis as any).document.getElementById('pdf');
      canvas.width = viewport.width;
      canvas.height = viewport.height;
      await first.render({ canvas, canvasContext: canvas.getContext('2d'), viewport }).promise;
      return canvas.toDataURL('image/png').slice('data:image/png;base64,'.length);
    },
    { base64: data.toString('base64'), scale },
  );
  return Buffer.from(png, 'base64');
}
