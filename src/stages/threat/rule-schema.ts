/** The shape of a threat signature (YAML files and inline config share it). */
import { z } from 'zod';

/** Fields a signature can match: `request` is path + `?` + query, percent-decoded. */
export const SIGNATURE_FIELDS = ['request', 'path', 'query', 'user_agent', 'referer'] as const;

/** Score weight per severity. */
export const SEVERITY_WEIGHT = Object.freeze({ low: 10, medium: 25, high: 50, critical: 80 } as const);

/** One signature. */
export const SignatureRule = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, { error: 'must be a lower-case id (letters, digits, `.`, `_`, `-`)' }),
  description: z.string().default(''),
  severity: z.enum(['low', 'medium', 'high', 'critical']),
  tags: z.array(z.string().regex(/^[a-z0-9_-]{1,32}$/)).min(1),
  fields: z.array(z.enum(SIGNATURE_FIELDS)).min(1),
  pattern: z.string().min(1).refine((p) => { try { new RegExp(p, 'i'); return true; } catch { return false; } }, { message: 'must be a valid regular expression' }),
});

/** A parsed {@link SignatureRule}. */
export type SignatureRule = z.infer<typeof SignatureRule>;

/** A rules file: `{ rules: [...] }`. */
export const SignatureFile = z.strictObject({ rules: z.array(SignatureRule) });
