import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ProblemSchema } from './problem.schema';

/** The security scheme's name, which `@ApiBearerAuth()` refers to by default. */
export const BEARER_SCHEME = 'bearer';

/** The OpenAPI document the app serves at /docs-json, and that `npm run api-types` turns into types. */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Timeline')
      .setDescription('Event-sourced, bitemporal record of reported developments')
      .setVersion('1')
      .addBearerAuth(
        {
          type: 'http',
          scheme: 'bearer',
          // Keys are random strings configured in TIMELINE_API_KEYS, compared by digest: nothing to decode.
          bearerFormat: 'opaque API key',
          description: 'An API key from TIMELINE_API_KEYS (`<key>:<role>`); without keys configured, only loopback clients are served, with no header.',
        },
        BEARER_SCHEME,
      )
      .build(),
    { extraModels: [ProblemSchema] },
  );
}
