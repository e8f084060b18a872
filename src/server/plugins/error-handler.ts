/**
 * The one error handler of the server: every failure leaves as `{ error: { code, message, details } }`
 * with the HTTP status of the error's family (or its code's own status). Fastify's validation errors
 * become `TRB_VALIDATION`; anything unexpected becomes `TRB_INTERNAL` with a message that names the
 * request id only: stack traces, driver messages and causes go to the log, never to the client.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { Internal, TributaryError, Validation } from '../../core/errors.js';
import type { Logger } from '../../core/component.js';
import { BodyTooLarge, RouteNotFound } from '../errors.js';

/** Turns any thrown value into the TributaryError the client sees (never internals). */
export function toClientError(err: unknown, requestId: string, bodyLimit: number): TributaryError {
  if (err instanceof TributaryError) {
    return err.family === 'internal' ? Internal({ reason: `see the server log for request ${requestId}` }) : err;
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const first = err.validation[0];
    const where = first?.instancePath ? first.instancePath.replace(/^\//, '').replaceAll('/', '.') : undefined;
    const context = (err as FastifyError).validationContext ?? 'request';
    const reason = `${context}${where ? `.${where}` : ''}: ${first?.message ?? 'does not match the schema'}`;
    return Validation({ reason, ...(where ? { field: where } : {}) });
  }
  if (isResponseSerializationError(err)) return Internal({ reason: `see the server log for request ${requestId}` });
  const fe = err as Partial<FastifyError>;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return BodyTooLarge({ max_bytes: bodyLimit });
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500 && typeof fe.code === 'string' && fe.code.startsWith('FST_')) {
    // Fastify's own request errors (bad JSON, wrong content type) carry no internals in their code.
    return Validation({ reason: `malformed request (${fe.code})` });
  }
  return Internal({ reason: `see the server log for request ${requestId}` });
}

/** Sends `e` in the standard shape. */
export function sendError(reply: FastifyReply, e: TributaryError): FastifyReply {
  return reply.code(e.status).type('application/json; charset=utf-8').send({ error: e.toJSON() });
}

/** Installs the error and not-found handlers on `app` (the root scope; children inherit them). */
export function installErrorHandler(app: FastifyInstance, opts: { readonly log: Logger; readonly bodyLimit: number; readonly onRefusal?: (code: string) => void }): void {
  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const e = toClientError(err, req.id, opts.bodyLimit);
    if (e.status >= 500) {
      const cause = err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : { value: String(err) };
      opts.log.error({ request_id: req.id, code: err instanceof TributaryError ? err.code : 'TRB_INTERNAL', cause }, 'Request failed');
    }
    if (e.family === 'auth' || e.status === 429) opts.onRefusal?.(e.code);
    return sendError(reply, e);
  });
  app.setNotFoundHandler((_req, reply) => sendError(reply, RouteNotFound({})));
}
