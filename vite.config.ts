import { defineConfig } from 'vite'

// The web app (a full node in a browser tab). Built into dist/web and served by the node host.
export default defineConfig({
  root: 'web',
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2023',
  },
  worker: { format: 'es' },
})
