import { defineConfig } from 'vite';

// Vite 8 transforms JSX itself (oxc); no React plugin is needed for a production build.
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The gateway's CSP allows no inline script: keep the module preload polyfill out.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
