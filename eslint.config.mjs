import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  prettier,
  {
    ignores: [
      '**/node_modules',
      '.tools',
      '.nx',
      '**/dist',
      'bench/results',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Wire types depend on nothing of ours.
            { sourceTag: 'type:protocol', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:server', onlyDependOnLibsWithTags: ['scope:server', 'scope:shared'] },
            { sourceTag: 'scope:client', onlyDependOnLibsWithTags: ['scope:client', 'scope:shared'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:protocol'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:protocol', 'type:app'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
      // Used deliberately after a check the compiler cannot follow (map lookups, regex groups).
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Client and shared code runs in browsers: no Node built-ins.
    files: [
      'libs/protocol/**/*.ts',
      'libs/e2ee/src/**/*.ts',
      'libs/client/**/*.ts',
      'services/web/src/app/**/*.ts',
      'services/web/app/src/**/*.{ts,tsx}',
    ],
    ignores: ['**/*.spec.ts', '**/test/**', 'libs/e2ee/src/sframe/check-vectors.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            'fs',
            'path',
            'crypto',
            'os',
            'child_process',
            'net',
            'http',
            'https',
            'dgram',
            'tls',
            'zlib',
          ].map((name) => ({
            name,
            message: 'Browser code: no Node built-ins.',
          })),
          patterns: [{ group: ['node:*'], message: 'Browser code: no Node built-ins.' }],
        },
      ],
    },
  },
  {
    // The sign-in page's budget (≤ 250 kB compressed, docs/services/web.md "Build"): the screens before the
    // meeting import the SDK's REST-only entry; the full SDK (mediasoup-client, MLS, SFrame) is for the lazy
    // meeting screens. Types are free (they vanish at build time).
    files: ['services/web/app/src/**/*.{ts,tsx}'],
    ignores: ['services/web/app/src/meeting/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@conclave/client',
              allowTypeImports: true,
              message:
                "Outside src/meeting/, import values from '@conclave/client/rest' (add what is missing there if it needs no media or E2EE code).",
            },
          ],
        },
      ],
    },
  },
  {
    // Tests and benchmarks are harnesses: they start services (apps) and drive them with the client SDK.
    files: ['**/test/**/*.ts', '**/*.spec.ts', 'bench/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    // The operator CLI administers a service through the service's own admin API (its store, its config
    // loader): on an air-gapped host the service may be stopped while an installer adds a user.
    files: ['cli/src/commands/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: ['@conclave/auth', '@conclave/rooms', '@conclave/audit'],
          depConstraints: [
            { sourceTag: 'scope:server', onlyDependOnLibsWithTags: ['scope:server', 'scope:shared'] },
          ],
        },
      ],
    },
  },
];
