/** Datasets the caller's role may query: names, column types and PII classification (with whether each column comes back masked). */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFound } from '../../core/errors.js';
import type { AppDeps } from '../app-deps.js';
import { AUTH_ERRORS } from '../schemas/error-body.js';

const Column = z.object({
  name: z.string(), type: z.string(),
  pii: z.string().meta({ description: 'Classification: none, pseudonymous, personal, sensitive.' }),
  masked: z.boolean().meta({ description: 'True when this caller gets the column masked.' }),
});
const Dataset = z.object({ name: z.string(), columns: z.array(Column) }).meta({ id: 'Dataset' });

/** `/v1/datasets` routes. */
export function datasetRoutes(deps: AppDeps): FastifyPluginAsync {
  return async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const visible = async (req: { identity?: import('../../security/identity/identity.js').Identity }) => {
      if (!req.identity) return [];
      return deps.queryEngine.relations(req.identity);
    };
    r.get('/v1/datasets', {
      config: { requires: 'datasets:read' },
      schema: { tags: ['datasets'], summary: 'Datasets this role may query, with schema and PII classification', response: { 200: z.object({ datasets: z.array(Dataset) }), ...AUTH_ERRORS } },
    }, async (req) => ({ datasets: (await visible(req)).map((d) => ({ name: d.name, columns: [...d.columns] })) }));
    r.get('/v1/datasets/:name', {
      config: { requires: 'datasets:read' },
      schema: { tags: ['datasets'], summary: 'One dataset: schema and PII classification', params: z.object({ name: z.string().max(256) }), response: { 200: Dataset, ...AUTH_ERRORS } },
    }, async (req) => {
      const d = (await visible(req)).find((x) => x.name === req.params.name);
      // Not visible and absent are the same answer: no existence oracle for datasets the role cannot see.
      if (!d) throw NotFound({ what: 'Dataset', name: req.params.name });
      return { name: d.name, columns: [...d.columns] };
    });
  };
}
