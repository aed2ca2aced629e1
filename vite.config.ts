import { defineConfig } from 'vite'

// The web app (a full node in a browser tab). Built into dist/web and served by the node host
// (node-host/web.ts); relative asset URLs so the host may mount it under any path.
export default defineConfig({
  root: 'web',
  base: './',
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2023',
    chunkSizeWarningLimit: 4096,
  },
  worker: { format: 'es' },
})
