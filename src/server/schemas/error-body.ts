/** The error body every route returns on failure, and the response-schema helper routes share. */
import { z } from 'zod';

/** `{ error: { code, message, details } }`: a TributaryError's user-safe fields. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string().meta({ description: 'Stable code, `TRB_<AREA>_<WHAT>` (see the errors reference).' }),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
  }),
}).meta({ id: 'Error', description: 'A failure: code, human message and structured details.' });

/** Error responses every authenticated route can answer with (for OpenAPI and the serializer). */
export const AUTH_ERRORS = Object.freeze({ 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 429: ErrorBody, 500: ErrorBody });
