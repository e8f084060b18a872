/**
 * OpenAPI from the route schemas (@fastify/swagger with the zod transform): the spec at
 * `/openapi.json`, the docs page at `/docs` (@fastify/swagger-ui, its own static CSP so helmet's
 * policy stays strict elsewhere). Routes of the authenticated scope are marked with the bearer scheme.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/** Registers swagger (must come before any route) and the docs page. */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Tributary API', version, description: 'Pipelines, runs, datasets, quarantine, audit, API keys and SQL over HTTP. Authenticate with `Authorization: Bearer <API key>`.' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'A Tributary API key (never in the query string).' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, uiConfig: { docExpansion: 'list', validatorUrl: null } });
  app.get('/openapi.json', { schema: { hide: true }, config: { probe: false } }, async () => app.swagger());
}
