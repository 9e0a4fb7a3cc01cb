// Unit specs live beside the code (src/**/*.spec.ts); e2e tests under test/ talk to real
// servers on loopback (simulator, OIDC issuer, SQLite, PostgreSQL, Redis).
const transform = { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] };
const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  testEnvironment: 'node',
  transform,
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', rootDir: '.', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/simulator/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', rootDir: '.', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'], testTimeout: 30000 },
  ],
};
