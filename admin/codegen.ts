import { type CodegenConfig } from '@graphql-codegen/cli';

/** Types for the admin app's operations, generated from the schema the server emits. */
const config: CodegenConfig = {
  schema: 'src/schema/schema.graphql',
  documents: ['admin/src/**/*.tsx', 'admin/src/**/*.ts', '!admin/src/gql/**'],
  ignoreNoDocuments: true,
  generates: {
    'admin/src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { DateTime: 'string', Date: 'string', JSON: 'unknown' },
      },
    },
  },
};
export default config;
