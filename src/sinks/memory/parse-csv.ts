/**
 * A small RFC 4180 reader for the engine's batch CSV dialect (see `SinkBatch`): `,` delimiter, `"`
 * quote doubled inside quotes, newlines allowed inside quotes. It keeps whether each cell was
 * quoted, because the dialect gives that meaning: unquoted empty = NULL, `""` = empty string.
 */

/** One cell: its text and whether it was quoted. */
export interface CsvCell { readonly text: string; readonly quoted: boolean }

/**
 * Splits `text` into records of cells. A final newline does not start a new record; `\r\n` ends a
 * record like `\n`. Throws an Error with the 1-based record number on an unterminated quote or a
 * stray character after a closing quote.
 */
export function parseCsv(text: string): CsvCell[][] {
  const records: CsvCell[][] = [];
  let row: CsvCell[] = [];
  let i = 0;
  const n = text.length;
  if (n === 0) return records;
  for (;;) {
    let cell: CsvCell;
    if (text[i] === '"') {
      let out = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q === -1) throw new Error(`unterminated quoted field in record ${records.length + 1}`);
        out += text.slice(j, q);
        if (text[q + 1] === '"') { out += '"'; j = q + 2; continue; }
        i = q + 1;
        break;
      }
      cell = { text: out, quoted: true };
    } else {
      let j = i;
      while (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
      cell = { text: text.slice(i, j), quoted: false };
      i = j;
    }
    row.push(cell);
    const c = text[i];
    if (c === ',') { i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') i++;
    if (c === '\n' || c === '\r' || i >= n) {
      records.push(row);
      row = [];
      i++;
      if (i >= n) return records;
      continue;
    }
    throw new Error(`unexpected character after a quoted field in record ${records.length + 1}`);
  }
}
