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

// The command layer (commands, their base class and shared flags, oclif's hooks and help) reaches src/lib only through what
// is public to commands: the opener of an environment, the one module per verb a lib folder offers
// (what a command calls to do its job, and the types of what it returns), and the shared leaf modules
// (errors, events, durations, names, the model). Everything else in src/lib is private to lib, so a
// new module there is private until it is added here.
const commandLayer = [
  'src/commands/**/*.ts',
  'src/base-command.ts',
  'src/ci-flags.ts',
  'src/hooks/**/*.ts',
  'src/help/**/*.ts',
  'src/fast-paths/**/*.ts',
];
const publicToCommands = [
  'env/open',
  'app/deploy/index',
  'app/deploy/dry-run',
  'app/destroy',
  'app/logs',
  'app/prune',
  'app/urls',
  'ci/session',
  'ci/prune-closed',
  'cluster/up/index',
  'cluster/down',
  'cluster/status',
  'config/show',
  'doctor/run',
  'image/push',
  'init/write-config',
  'local/cluster',
  'local/deploy',
  'local/dry-run',
  'local/routes',
  'local/status',
  'routes/open',
  'routes/filter',
  'routes/find',
  'status/env',
  'traffic/open',
  'traffic/status',
  'update/refresh',
  // shared leaves
  'errors',
  'events',
  'duration',
  'naming',
  'model',
];
const privateLib = new RegExp(String.raw`^(\.{1,2}/)+lib/(?!(${publicToCommands.join('|')})\.js$)`);
const privateLibMessage =
  'Commands reach src/lib through lib/env/open.js and the verb modules listed in eslint.config.js (publicToCommands): call the verb, or add a verb module there.';

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
    files: commandLayer,
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
            { regex: privateLib.source, message: privateLibMessage },
          ],
        },
      ],
      // no-restricted-imports sees only static imports: the same rule for `await import('...')`.
      'no-restricted-syntax': [
        'error',
        { selector: `ImportExpression[source.value=/${privateLib.source}/]`, message: privateLibMessage },
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
