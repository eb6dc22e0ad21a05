import type { OpenAPIObject } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { API_TYPES_PATH, apiTypesText, servedOpenApiDocument } from '../../scripts/api-types';
import { RequestValidationError, problemFor } from '../../src/http/problem';
import { RECORD_DEVELOPMENT_EXAMPLES, REGISTER_SOURCE_EXAMPLES, REPORT_CLAIM_EXAMPLES } from '../../src/http/openapi/request-examples';
import { servedRoutes } from '../support/raw-http';
import { startTestApp, TestApp } from '../support/test-app';
import { isWebPageRoute } from '../../src/http/web-page';

type Responses = Record<string, { content?: Record<string, { schema?: { $ref?: string }; example?: { status?: number } }> }>;
type Operation = { responses: Responses; security?: Record<string, string[]>[] };

const PROBLEM_REF = '#/components/schemas/Problem';

/** Every operation of the document, as `GET /v1/knowledge` with fastify's `:id` for `{id}`. */
function operationsOf(document: OpenAPIObject): Map<string, Operation> {
  const operations = new Map<string, Operation>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      operations.set(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`, operation as Operation);
    }
  }
  return operations;
}

/** The routes of the API fastify serves: HEAD is GET's, /docs is Swagger UI's own, and the workbench page is HTML. */
const apiRoutes = (t: TestApp) =>
  servedRoutes(t.app)
    .filter(([method, path]) => method !== 'HEAD' && path !== '/docs' && !path.startsWith('/docs/') && !path.startsWith('/docs-') && !isWebPageRoute(path))
    .map(([method, path]) => `${method} ${path}`);

describe('the OpenAPI document at /docs-json', () => {
  let t: TestApp;
  let document: OpenAPIObject;
  let operations: Map<string, Operation>;

  beforeAll(async () => {
    t = await startTestApp();
    document = await servedOpenApiDocument(t.app);
    operations = operationsOf(document);
  });
  afterAll(() => t.close());

  it('documents every route fastify serves, and no other', () => {
    expect([...operations.keys()].sort()).toEqual(apiRoutes(t).sort());
    expect(operations.size).toBeGreaterThan(20);
  });

  it('gives every operation a 2xx response with a schema for each media type it answers', () => {
    const lacking = [...operations].flatMap(([route, operation]) => {
      const successes = Object.entries(operation.responses).filter(([status]) => /^2\d\d$/.test(status));
      const schemas = successes.flatMap(([, response]) => Object.values(response.content ?? {}));
      return successes.length > 0 && schemas.length > 0 && schemas.every((media) => media.schema !== undefined) ? [] : [route];
    });
    expect(lacking).toEqual([]);
  });

  it('answers every error as application/problem+json referencing the one Problem schema, with an example of that status', () => {
    const wrong: string[] = [];
    for (const [route, operation] of operations) {
      const errors = Object.entries(operation.responses).filter(([status]) => !/^2\d\d$/.test(status));
      if (errors.length === 0) wrong.push(`${route}: no error responses`);
      for (const [status, response] of errors) {
        const content = response.content ?? {};
        const problem = content['application/problem+json'];
        if (Object.keys(content).join() !== 'application/problem+json' || problem?.schema?.$ref !== PROBLEM_REF) wrong.push(`${route} ${status}: not problem+json`);
        else if (problem.example?.status !== Number(status)) wrong.push(`${route} ${status}: example of status ${problem.example?.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('documents the 4xx every keyed route can answer, and the write problems on every POST', () => {
    const missing: string[] = [];
    for (const [route, operation] of operations) {
      const expected = route === 'GET /health' ? ['400', '503'] : ['400', '401', '403', '429'];
      if (route.startsWith('POST ')) expected.push('409', '413', '415', '422', '503', '507');
      for (const status of expected) if (!operation.responses[status]) missing.push(`${route} ${status}`);
    }
    expect(missing).toEqual([]);
  });

  it('has a Problem schema with the fields problemFor writes', () => {
    const schema = document.components!.schemas!.Problem as { properties: Record<string, unknown>; required: string[] };
    const written = problemFor(new RequestValidationError('bad', [{ field: 'asOf', message: 'bad' }]));
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(written).sort());
    expect(schema.required.sort()).toEqual(['detail', 'status', 'title', 'type']);
  });

  it('secures every route but /health with a bearer scheme for opaque API keys, not JWT', () => {
    const scheme = document.components!.securitySchemes!.bearer as { type: string; scheme: string; bearerFormat: string };
    expect(scheme).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(scheme.bearerFormat).not.toMatch(/jwt/i);
    const unsecured = [...operations].filter(([, operation]) => !operation.security?.some((requirement) => 'bearer' in requirement)).map(([route]) => route);
    expect(unsecured).toEqual(['GET /health']);
  });

  it('serves the live stream as text/event-stream and the audit export as NDJSON', () => {
    expect(Object.keys(operations.get('GET /v1/events/live')!.responses['200'].content!)).toEqual(['text/event-stream']);
    expect(Object.keys(operations.get('GET /v1/audit/export')!.responses['200'].content!)).toEqual(['application/x-ndjson']);
  });

  it('shows request body examples that the API accepts, posted in order to an empty store', async () => {
    const examples = [
      ...Object.values(REGISTER_SOURCE_EXAMPLES).map((example) => ['/v1/sources', example.value] as const),
      ...Object.values(RECORD_DEVELOPMENT_EXAMPLES).map((example) => ['/v1/developments', example.value] as const),
      ...Object.values(REPORT_CLAIM_EXAMPLES).map(
        (example) => [`/v1/developments/${RECORD_DEVELOPMENT_EXAMPLES.withQuantity.value.id}/claims`, example.value] as const,
      ),
    ];
    const answers = [];
    for (const [url, body] of examples) answers.push(`${url} ${(await t.post(url, body)).status}`);
    expect(answers).toEqual(examples.map(([url]) => `${url} 201`));
    const recordDevelopment = document.paths['/v1/developments'].post!.requestBody as { content: Record<string, { examples?: object }> };
    expect(recordDevelopment.content['application/json'].examples).toEqual(RECORD_DEVELOPMENT_EXAMPLES);
  });

  it(`matches the checked-in ${API_TYPES_PATH} (run npm run api-types)`, async () => {
    const checkedIn = readFileSync(API_TYPES_PATH, 'utf8');
    const generated = await apiTypesText(document);
    const checkedInLines = checkedIn.split('\n');
    const generatedLines = generated.split('\n');
    const line = generatedLines.findIndex((text, i) => text !== checkedInLines[i]) + 1 || generatedLines.length + 1;
    // The first differing line, not a 5000-line diff.
    expect(generated === checkedIn ? 'same' : `${API_TYPES_PATH} differs from /docs-json at line ${line}: run npm run api-types`).toBe('same');
  });
});
