import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// Vite 8 transforms TypeScript with Oxc, which honours experimentalDecorators and
// emitDecoratorMetadata from tsconfig.json (type-graphql needs the metadata; esbuild dropped it).
export default defineConfig({
  // graphql 16 ships CJS (main) and ESM (module); Node loads the CJS one for type-graphql, so
  // test code must get the same instance or graphql refuses types "from another realm".
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
