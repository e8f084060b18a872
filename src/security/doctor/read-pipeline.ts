/** The raw YAML of a pipeline file as the doctor's checks read it (no validation, no env). */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** The parts of a pipeline document the checks look at (anything may be missing or malformed). */
export interface PipelineDoc {
  readonly stages?: readonly Readonly<Record<string, unknown>>[];
  readonly sinks?: readonly Readonly<Record<string, unknown>>[];
  readonly engine?: { readonly bronze?: { readonly encryption?: unknown } };
}

/** The parsed document of `file`, or undefined when it cannot be read or is not a YAML mapping. */
export function readPipelineDoc(file: string): PipelineDoc | undefined {
  try {
    const doc = parse(readFileSync(file, 'utf8')) as unknown;
    return doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? doc as PipelineDoc : undefined;
  } catch {
    return undefined;
  }
}
