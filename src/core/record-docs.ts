/** Renders the record schemas as the docs/record-schema.md page (generated; a test keeps it fresh). */
import { RAW_COLUMN_PII } from './pii.js';
import { ACCESS_SCHEMA, ERROR_SCHEMA, LINEAGE_COLUMNS, type ColumnSchema } from './record.js';

const table = (cols: readonly ColumnSchema[]): string =>
  ['| column | type | nullable | pii | description |', '|---|---|---|---|---|',
    ...cols.map((c) => `| \`${c.name}\` | ${c.type} | ${c.nullable ? 'yes' : 'no'} | ${RAW_COLUMN_PII[c.name] ?? 'none'} | ${c.description} |`)].join('\n');

/** Markdown for docs/record-schema.md. */
export function renderRecordSchemaDoc(): string {
  return `<!-- Generated from src/core/record.ts by \`npm run docs:gen\`. Do not edit. -->
# Record schema

Every access-log format (Apache, Nginx, compiled LogFormat / log_format strings, JSON lines) produces
one record shape, so queries do not depend on which server wrote a line. Values a format does not
carry are \`NULL\`. Timestamps are stored in UTC; \`ts_offset_min\` keeps the server's original offset.

The \`pii\` column is each column's classification as parsed (none, pseudonymous, personal,
sensitive); the \`privacy\` and \`encrypt\` stages change it per pipeline, and every run summary
(\`tributary run --json\`, \`tributary runs --json\`) records the resulting tag of every output column
under \`columns\`, for access control to mask by tag.

## Access records (table \`requests\`, dataset \`requests\`)

${table(ACCESS_SCHEMA.columns)}

## Lineage columns (every stored row)

The record id is \`(source_stream, source_offset)\`: deterministic, so re-running a pipeline over the
same bytes (or a rotated or copied file with the same first line) lands nothing twice.

${table(LINEAGE_COLUMNS)}

## Error-log records (Apache 2.2/2.4, Nginx error logs)

${table(ERROR_SCHEMA.columns)}

## Quarantine (table \`quarantine\`)

| column | description |
|---|---|
| \`source\`, \`uri\`, \`stream\`, \`line\`, \`offset\` | where the rejected line came from |
| \`code\` | reason code: one of parse_failed, format_unknown, required_missing, type_conversion_failed, schema_violation, value_out_of_range, line_too_long, enrich_failed, privacy_failed, contract_violation |
| \`reason\` | a human sentence naming what was wrong |
| \`field\` | the offending field, when one is to blame |
| \`stage\` | the stage that rejected it |
| \`raw\` | the raw line (capped at 16 KiB); an \`enc:v1:\` field token when \`engine.quarantine.raw\` is \`encrypt\` (the default with a \`privacy\` stage), whose reason is then redacted too |
`;
}
