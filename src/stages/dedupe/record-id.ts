/** The deterministic identity of a record. */

/**
 * The id of the record at byte `offset` of `stream`: `<stream>:<offset>`. The offset is the text
 * after the last `:`, so the id stays unambiguous even when the stream id contains `:`. Used in
 * docs, lineage and by the `dedupe` stage's `record_id` key.
 */
export function recordId(stream: string, offset: number): string {
  return `${stream}:${offset}`;
}
