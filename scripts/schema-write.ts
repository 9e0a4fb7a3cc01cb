/**
 * `npm run schema:write`: regenerates schema.gql from the code-first resolvers. A test fails
 * when the committed file and the code disagree, so API changes show in review.
 */
import { writeFileSync } from 'node:fs';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config';

async function main(): Promise<void> {
  const r = loadConfig({
    PAM_CORE_URL: 'http://127.0.0.1:9',
    PAM_CORE_CLIENT_ID: 'schema',
    PAM_CORE_CLIENT_SECRET: 'schema',
    AUTH_ISSUER: 'http://127.0.0.1:9',
    AUTH_AUDIENCE: 'schema',
    RBAC_POLICY_FILE: 'test/fixtures/policy.yaml',
    AUDIT_DATABASE_URL: 'sqlite::memory:',
    LOG_LEVEL: 'error',
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const app = await createApp(r.config);
  await app.init();
  const { schema } = app.get(GraphQLSchemaHost);
  writeFileSync('schema.gql', printSchema(lexicographicSortSchema(schema)) + '\n');
  await app.close();
  process.stdout.write('schema.gql written\n');
}

void main();
