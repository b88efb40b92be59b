import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// Modules too heavy for the start-up path: commands must load them with `await import()`.
const heavyModules = [
  'ink',
  'react',
  'execa',
  'cosmiconfig',
  'yaml',
  'zod',
  '@aws-sdk/*',
  'fast-check',
  '@actions/*',
  '@octokit/*',
];

export default tseslint.config(
  { ignores: ['dist/', '.tools/', 'node_modules/', 'coverage/', '.test-stack/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/commands/**/*.ts', 'src/base-command.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: heavyModules,
              allowTypeImports: true,
              message: 'Load heavy modules with `await import()` so that --help and --version stay fast.',
            },
          ],
        },
      ],
    },
  },
  // The layers (DESIGN.md "Architecture"): lib/ decides and emits events, ui/ renders, commands/ wire
  // the two. lib never reaches up into the views or the commands.
  {
    files: ['src/lib/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`^(\.\./)+(ui|commands|hooks)(/|$)|^(\.\./)+(base-command|help)\.js$`,
              message:
                'src/lib never imports the views, the commands or oclif glue: emit events and return results.',
            },
            {
              group: ['ink', 'react', '@oclif/*'],
              message: 'src/lib has no views and no oclif: that is src/ui and src/commands.',
            },
          ],
        },
      ],
    },
  },
  // ink views follow the rules of hooks (the same checks React's own lint runs).
  { files: ['src/ui/**/*.tsx'], ...reactHooks.configs.flat['recommended-latest'] },
  {
    files: ['bin/**/*.js', 'eslint.config.js', 'scripts/**/*.{js,mjs}', 'bench/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly' },
    },
  },
  {
    files: ['test/**/*.{ts,tsx}', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  prettier,
);
