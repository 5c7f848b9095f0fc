import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import jest from 'eslint-plugin-jest';
import tseslint from 'typescript-eslint';

const TESTS = ['**/*.spec.ts', '**/*.int-spec.ts', '**/__tests__/**/*.ts'];
/** test support a project offers others (`@connector/<project>/testing`): fakes, harnesses, fixtures */
const TEST_SUPPORT = ['libs/*/src/testing.ts', 'libs/*/src/testing/**/*.ts', 'services/*/src/**/testing.ts'];

/**
 * Who may import whom (tags in each project.json):
 * - type:app (services/*): plain libraries only; never another service, a tool or a simulator.
 * - type:lib (libs/*): plain libraries only.
 * - type:testing (libs/testing): libraries and the simulators, for tests only.
 * - type:simulator (the SP-API, SAP B1 and Sage 300 simulators): libraries and other simulators.
 * - type:tool (demo, scripts, bench) and type:e2e: libraries, simulators, testing, other tools, and a
 *   service through its public entry point (`@connector/<service>`, services/<service>/src/index.ts).
 * Tests of an app or a lib may also use type:testing and type:simulator. Imports cross projects only
 * through a project's entry point (no relative or deep path into another project's src).
 */
const depConstraints = (forTests) => [
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: forTests ? ['type:lib', 'type:testing', 'type:simulator'] : ['type:lib'],
  },
  {
    sourceTag: 'type:lib',
    onlyDependOnLibsWithTags: forTests ? ['type:lib', 'type:testing', 'type:simulator'] : ['type:lib'],
  },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:testing', 'type:simulator'] },
  { sourceTag: 'type:simulator', onlyDependOnLibsWithTags: ['type:lib', 'type:simulator'] },
  {
    sourceTag: 'type:tool',
    onlyDependOnLibsWithTags: ['type:lib', 'type:testing', 'type:simulator', 'type:tool', 'type:app'],
  },
  {
    sourceTag: 'type:e2e',
    onlyDependOnLibsWithTags: ['type:lib', 'type:testing', 'type:simulator', 'type:tool', 'type:app'],
  },
];
const SERVICE_ENTRY_POINTS = [
  '@connector/amazon-ingest',
  '@connector/amazon-ingest/testing',
  '@connector/sage-writer',
  '@connector/erp-change-poller',
  '@connector/inventory-publisher',
  '@connector/settlement-reconciler',
  '@connector/operator-console',
];
const boundaries = (forTests, allow = []) => ({
  '@nx/enforce-module-boundaries': [
    'error',
    {
      enforceBuildableLibDependency: false,
      banTransitiveDependencies: false,
      allow,
      depConstraints: depConstraints(forTests),
    },
  ],
});

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'deploy/local/.stack/**',
      'libs/events/src/generated/**',
      'libs/sp-api/src/generated/**',
      'libs/sp-api-usage-plans/src/generated/**',
      'coverage/**',
      'tmp/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // an async method that awaits nothing is how fakes and in-memory stores implement a port whose
      // methods return promises; a floating or misused promise is what matters, and is an error above
      '@typescript-eslint/require-await': 'off',
      'no-console': ['error', { allow: ['error'] }],
      ...boundaries(false),
    },
  },
  { files: ['tools/**/*.ts'], rules: boundaries(false, SERVICE_ENTRY_POINTS) },
  { files: TEST_SUPPORT, rules: boundaries(true) },
  { files: TESTS, rules: boundaries(true) },
  // the jest rules for the test files themselves (helpers beside them in __tests__ may export)
  { files: ['**/*.spec.ts', '**/*.int-spec.ts'], ...jest.configs['flat/recommended'] },
  { files: TESTS.map((g) => `tools/${g}`), rules: boundaries(true, SERVICE_ENTRY_POINTS) },
  {
    files: ['tools/**/*.ts', ...TESTS, 'services/*/src/cli.ts', 'libs/*-simulator/src/main.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // the operator console's page: ES modules run by the browser (no bundler)
    files: ['services/operator-console/src/web/**/*.mjs'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'navigator',
          'location',
          'history',
          'fetch',
          'FormData',
          'Intl',
          'setTimeout',
          'addEventListener',
          'removeEventListener',
        ].map((g) => [g, 'readonly']),
      ),
    },
    rules: { 'no-console': 'error' },
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-console': 'off' },
  },
);
