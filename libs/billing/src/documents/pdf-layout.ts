import PDFDocument from 'pdfkit';

// A little layout on pdfkit's standard fonts (no font files to ship): text in columns, rules,
// tables that break across pages. The standard fonts speak WinAnsi, so text is cleaned first.

export const PAGE = { size: 'LETTER' as const, margin: 50, width: 612, height: 792 };
export const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;
const INK = '#1f2933';
const MUTED = '#5f6b7a';
const RULE = '#c9d1da';

/** Characters WinAnsi lacks, as the nearest it has (Intl's narrow spaces, the minus sign). */
export function winAnsi(text: string): string {
  // Anything else outside Latin-1 (and WinAnsi's few extras) would print as garbage: say so with '?'.
  const extras = '\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac\u2122\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2020\u2021\u2030\u2039\u203a';
  const cleaned = text.replace(/[\u202f\u2009\u2007]/g, '\u00a0').replace(/\u2212/g, '-');
  return Array.from(cleaned, (c) => (c.charCodeAt(0) <= 0xff || extras.includes(c) ? c : '?')).join('');
}

export interface Column {
  header: string;
  width: number;
  align?: 'left' | 'right';
}

export interface Cell {
  text: string;
  bold?: boolean;
  muted?: boolean;
  strike?: boolean;
}

export class PdfLayout {
  readonly doc: PDFKit.PDFDocument;
  y = PAGE.margin;

  constructor(info: { title: string; author: string }) {
    this.doc = new PDFDocument({ size: PAGE.size, margin: PAGE.margin, info: { Title: winAnsi(info.title), Author: winAnsi(info.author) }, bufferPages: false });
  }

  /** Text at (x, y) in a box `width` wide; returns its height. */
  text(value: string, x: number, y: number, width: number, opts: { size?: number; bold?: boolean; muted?: boolean; align?: 'left' | 'right' | 'center'; strike?: boolean; color?: string } = {}): number {
    const { doc } = this;
    doc.font(opts.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(opts.size ?? 10).fillColor(opts.color ?? (opts.muted ? MUTED : INK));
    const text = winAnsi(value);
    const options = { width, align: opts.align ?? 'left', strike: opts.strike ?? false, lineGap: 1 };
    const height = doc.heightOfString(text, options);
    doc.text(text, x, y, options);
    return height;
  }

  /** Text at the cursor across the content width; moves the cursor below it. */
  line(value: string, opts: Parameters<PdfLayout['text']>[4] & { gap?: number } = {}): void {
    this.room(14);
    this.y += this.text(value, PAGE.margin, this.y, CONTENT_WIDTH, opts) + (opts.gap ?? 2);
  }

  rule(gapBefore = 6, gapAfter = 8, color = RULE): void {
    this.y += gapBefore;
    this.doc.moveTo(PAGE.margin, this.y).lineTo(PAGE.width - PAGE.margin, this.y).lineWidth(0.7).strokeColor(color).stroke();
    this.y += gapAfter;
  }

  heading(value: string): void {
    this.room(48);
    this.y += 10;
    this.line(value.toUpperCase(), { size: 9, bold: true, muted: true, gap: 4 });
  }

  /** A new page when fewer than `height` points are left. */
  room(height: number): void {
    if (this.y + height > PAGE.height - PAGE.margin) {
      this.doc.addPage();
      this.y = PAGE.margin;
    }
  }

  /** A table: a header row, then each row; a row may carry lines of small text under it. */
  table(columns: Column[], rows: { cells: Cell[]; notes?: string[]; shade?: boolean }[]): void {
    const header = () => {
      let x = PAGE.margin;
      for (const c of columns) {
        this.text(c.header, x + 4, this.y, c.width - 8, { size: 8.5, bold: true, muted: true, align: c.align });
        x += c.width;
      }
      this.y += 13;
      this.doc.moveTo(PAGE.margin, this.y).lineTo(PAGE.width - PAGE.margin, this.y).lineWidth(0.7).strokeColor(RULE).stroke();
      this.y += 4;
    };
    this.room(40);
    header();
    for (const row of rows) {
      const heights = row.cells.map((cell, i) => {
        this.doc.font(cell.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9.5);
        return this.doc.heightOfString(winAnsi(cell.text), { width: columns[i].width - 8, lineGap: 1 });
      });
      const notesHeight = (row.notes ?? []).length * 11;
      const height = Math.max(...heights, 11) + notesHeight + 6;
      if (this.y + height > PAGE.height - PAGE.margin) {
        this.doc.addPage();
        this.y = PAGE.margin;
        header();
      }
      let x = PAGE.margin;
      row.cells.forEach((cell, i) => {
        this.text(cell.text, x + 4, this.y, columns[i].width - 8, { size: 9.5, bold: cell.bold, muted: cell.muted, strike: cell.strike, align: columns[i].align });
        x += columns[i].width;
      });
      let noteY = this.y + Math.max(...heights, 11) + 1;
      for (const note of row.notes ?? []) {
        this.text(note, PAGE.margin + 14, noteY, columns[0].width + (columns[1]?.width ?? 0) - 18, { size: 8.5, muted: true });
        noteY += 11;
      }
      this.y += height;
      this.doc.moveTo(PAGE.margin, this.y - 3).lineTo(PAGE.width - PAGE.margin, this.y - 3).lineWidth(0.3).strokeColor('#e4e8ed').stroke();
    }
  }

  /** Label and amount pairs, right-aligned (totals). */
  totals(rows: { label: string; value: string; bold?: boolean; size?: number; muted?: boolean }[]): void {
    const valueWidth = 110;
    const labelWidth = 190;
    const right = PAGE.width - PAGE.margin;
    for (const r of rows) {
      const size = r.size ?? 10;
      this.room(size + 8);
      this.text(r.label, right - valueWidth - labelWidth, this.y, labelWidth - 10, { size, bold: r.bold, muted: r.muted, align: 'right' });
      this.text(r.value, right - valueWidth, this.y, valueWidth - 4, { size, bold: r.bold, muted: r.muted, align: 'right' });
      this.y += size + 6;
    }
  }

  /** The document's bytes once written. */
  finish(): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      this.doc.on('data', (chunk: Buffer) => chunks.push(chunk));
      this.doc.on('end', () => resolve(Buffer.concat(chunks)));
      this.doc.on('error', reject);
      this.doc.end();
    });
  }
}
