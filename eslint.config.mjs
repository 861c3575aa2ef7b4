import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.data/', 'coverage/', 'admin/dist/', 'admin/src/gql/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  { files: ['admin/src/**'], languageOptions: { globals: { ...globals.browser } } },
  {
    files: ['scripts/**', 'test/**', 'bench/**', 'src/**/*.cli.ts'],
    rules: { 'no-console': 'off' },
  },
);
