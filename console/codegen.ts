import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed operations from the committed schema: a schema change that breaks an operation or the
// fields the pages read fails `npm run typecheck` and the build. Paths are from the repository
// root (npm run console:codegen).
const config: CodegenConfig = {
  schema: 'schema.gql',
  documents: ['console/src/**/*.ts', 'console/src/**/*.tsx', '!console/src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'console/src/gql/': {
      preset: 'client',
      config: {
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
        scalars: { ID: 'string' },
      },
      presetConfig: { fragmentMasking: false },
    },
  },
};
export default config;
