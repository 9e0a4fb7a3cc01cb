// Unit specs live beside the code (src/**/*.spec.ts); e2e tests under test/ talk to real
// servers on loopback (simulator, OIDC issuer, SQLite, PostgreSQL, Redis).
//
// jwks-rsa 4 requires jose 6, and @fastify/static 10 (the Swagger UI's files under Fastify)
// content-disposition 3; both ship ES modules only. Node >= 20.19 loads them through
// require() in production, but jest's own loader cannot, so jest compiles them to CommonJS
// (https://jestjs.io/docs/ecmascript-modules). The real packages run in the tests.
// Type checking is `npm run typecheck`'s job; tests only transpile (tsconfig.jest.json).
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }];
const transform = {
  '^.+\\.ts$': tsJest,
  '/node_modules/(jose|content-disposition)/.+\\.js$': tsJest,
};
const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  testEnvironment: 'node',
  transform,
  // Also where npm nests them (node_modules/@fastify/static/node_modules/content-disposition).
  transformIgnorePatterns: ['^(?!.*/node_modules/(jose|content-disposition)/).*/node_modules/'],
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
