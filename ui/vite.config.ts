/* vite.config.ts - builds the Custom UI into dist/ with relative asset paths
 * (Forge serves a resource from its own CDN path; the dev host from /). */
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
});
