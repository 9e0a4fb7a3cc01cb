// Unit specs live beside the code (src/**/*.spec.ts); e2e tests under test/ talk to real
// servers on loopback (simulator, OIDC issuer, SQLite, PostgreSQL, Redis).
//
// @fastify/static 10 (the Swagger UI's files under Fastify) requires content-disposition 3,
// which ships ES modules only. Node >= 20.19 loads it through require() in production, but
// jest's own loader cannot, so jest compiles it to CommonJS
// (https://jestjs.io/docs/ecmascript-modules). The real package runs in the tests.
// Type checking is `npm run typecheck`'s job; tests only transpile (tsconfig.jest.json).
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }];
const transform = {
  '^.+\\.ts$': tsJest,
  '/node_modules/content-disposition/.+\\.js$': tsJest,
};
const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  testEnvironment: 'node',
  transform,
  // Also where npm nests it (node_modules/@fastify/static/node_modules/content-disposition).
  transformIgnorePatterns: ['^(?!.*/node_modules/content-disposition/).*/node_modules/'],
};
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      rootDir: '.',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/simulator/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      rootDir: '.',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    },
  ],
  // A global option in jest 30 (ignored inside `projects`): e2e suites start real servers.
  testTimeout: 30000,
};
