/**
 * Regenerates the committed OpenAPI description: `scripts/node services/rooms/src/openapi/write-openapi.ts`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOpenApiDocument, openApiText } from './openapi-document';

export const COMMITTED_OPENAPI = join(__dirname, '../../../../docs/api/rooms.openapi.json');

if (require.main === module) {
  generateOpenApiDocument().then(
    (document) => {
      writeFileSync(COMMITTED_OPENAPI, openApiText(document));
      console.log(`wrote ${COMMITTED_OPENAPI}`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
