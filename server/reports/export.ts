import ExcelJS from 'exceljs';
import type { Column, Table } from './tables.js';

const ddmmyyyy = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

/** A cell as CSV text (RFC 4180 quoting), in the way a Vietnamese office reads it: dd/mm/yyyy, "Có"/"Không". */
function csvCell(v: string | number | boolean | null, c: Column): string {
  if (v === null || v === undefined) return '';
  let text: string;
  if (c.type === 'boolean') text = v ? 'Có' : 'Không';
  else if (c.type === 'date') text = ddmmyyyy(String(v));
  else if (c.type === 'datetime') text = `${ddmmyyyy(String(v).slice(0, 10))} ${String(v).slice(11)}`;
  else text = String(v);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * All tables in one CSV, one after another (a title line, the header, the rows, a blank line), with a
 * UTF-8 byte order mark so spreadsheet programs read the Vietnamese correctly.
 */
export function toCsv(title: string, tables: Table[]): string {
  const lines = [csvCell(title, { key: '', header: '', type: 'text' }), ''];
  for (const t of tables) {
    lines.push(csvCell(t.title, { key: '', header: '', type: 'text' }));
    lines.push(t.columns.map((c) => csvCell(c.header, { ...c, type: 'text' })).join(','));
    for (const r of t.rows) lines.push(t.columns.map((c) => csvCell(r[c.key], c)).join(','));
    lines.push('');
  }
  return `\ufeff${lines.join('\r\n')}`;
}

/** A real workbook: one sheet per table, Vietnamese headers, dates as dates and numbers as numbers. */
export async function toXlsx(title: string, tables: Table[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Loa Làng';
  wb.title = title;
  for (const t of tables) {
    const ws = wb.addWorksheet(t.sheet);
    ws.addRow([t.title]).font = { bold: true, size: 13 };
    const header = ws.addRow(t.columns.map((c) => c.header));
    header.font = { bold: true };
    for (const r of t.rows) {
      ws.addRow(t.columns.map((c) => {
        const v = r[c.key];
        if (v === null || v === undefined) return null;
        if (c.type === 'date') return new Date(`${v}T00:00:00Z`);
        if (c.type === 'datetime') return new Date(`${String(v).replace(' ', 'T')}:00Z`);
        if (c.type === 'boolean') return v ? 'Có' : 'Không';
        return v;
      }));
    }
    t.columns.forEach((c, i) => {
      const column = ws.getColumn(i + 1);
      column.width = Math.max(12, Math.min(60, c.header.length + 4, ...t.rows.map((r) => String(r[c.key] ?? '').length + 2)));
      if (c.type === 'date') column.numFmt = 'dd/mm/yyyy';
      if (c.type === 'datetime') column.numFmt = 'dd/mm/yyyy hh:mm';
      if (c.type === 'percent') column.numFmt = '0.0';
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
