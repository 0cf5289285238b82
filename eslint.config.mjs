// typescript-eslint with type information: floating promises and misused promises are errors (an unawaited
// engine request loses its failure), as are the recommended rules. Formatting is Prettier's (npm run format).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'out/**',
      'node_modules/**',
      '.bench/**',
      '.test-artifacts/**',
      '.test-audio/**',
      '*.mjs',
      'scripts/**',
      'native/*.mjs',
      'test/integration/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // `namespace Requests` in protocol.ts mirrors vscode-jsonrpc's own style (one namespace of typed messages).
      '@typescript-eslint/no-namespace': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
);
