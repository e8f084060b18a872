/**
 * `POST /v1/sql`: one SELECT through the secure query engine (grants, masks, row filters, limits
 * and auditing are the engine's), streamed as JSON, NDJSON or CSV while batches arrive. Errors before
 * the first byte (refused statement, permission, timeout) are normal error responses with codes;
 * errors after it end the stream as described in sql/encode-result.ts. A key revoked mid-stream
 * stops it and is audited (`sql.stream_stopped`).
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Invariant } from '../../core/errors.js';
import type { AppDeps } from '../app-deps.js';
import { AUTH_ERRORS } from '../schemas/error-body.js';
import { encodeResult, SQL_CONTENT_TYPES, SQL_FORMATS } from '../sql/encode-result.js';

const Cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Options of {@link sqlRoutes}. */
export interface SqlRouteOptions {
  readonly maxSqlChars: number;
  readonly keyRecheckMs: number;
}

/** The `/v1/sql` route. */
export function sqlRoutes(deps: AppDeps, opts: SqlRouteOptions): FastifyPluginAsync {
  return async (app) => {
    app.withTypeProvider<ZodTypeProvider>().post('/v1/sql', {
      config: { requires: 'sql:query' },
      schema: {
        tags: ['sql'], summary: 'Run one SELECT; results stream as JSON, NDJSON or CSV',
        body: z.strictObject({
          sql: z.string().min(1).max(opts.maxSqlChars).meta({ description: 'One SELECT statement; `$1`, `$2`, ... for parameters.' }),
          params: z.array(Cell).max(1000).optional().meta({ description: 'Values of `$1`, `$2`, ...' }),
          format: z.enum(SQL_FORMATS).default('json'),
        }),
        response: {
          200: z.unknown().meta({ description: 'The streamed result (see the serving guide for the json, ndjson and csv shapes).' }),
          ...AUTH_ERRORS,
        },
      },
    }, async (req, reply) => {
      const identity = req.identity;
      if (!identity) throw Invariant({ reason: '/v1/sql reached without an identity' });
      const abort = new AbortController();
      const stream = await deps.queryEngine.query(identity, req.body.sql, {
        via: 'http', requestId: req.id, signal: abort.signal, ...(req.body.params ? { params: req.body.params } : {}),
      });
      reply.raw.once('close', () => { if (!reply.raw.writableFinished) abort.abort(); });
      if (reply.raw.destroyed || req.raw.socket?.destroyed) abort.abort();
      const body = encodeResult({
        format: req.body.format, identity, stream, keyStillValid: deps.keyStillValid, recheckMs: opts.keyRecheckMs, abort,
        ...(deps.now ? { now: deps.now } : {}),
        onEnd: async (o) => {
          if (o.outcome !== 'revoked') return;
          await deps.audit.record({
            actor: identity.subject, action: 'sql.stream_stopped', target: 'POST /v1/sql', outcome: 'denied', requestId: req.id,
            details: { code: o.error?.code ?? 'TRB_SERVER_KEY_REVOKED_MID_STREAM', rows_sent: o.rows, key_id: identity.keyId ?? null },
          });
        },
      });
      // A client gone before the body is read (e.g. while the query ran) never starts the encoder, so
      // its `finally` never closes the stream: close it when the body is destroyed, or its pooled
      // connection would stay leased forever (closing twice is a no-op).
      const readable = Readable.from(body);
      readable.once('close', () => { void stream.close().catch(() => undefined); });
      return reply.code(200).type(SQL_CONTENT_TYPES[req.body.format]).send(readable);
    });
  };
}
