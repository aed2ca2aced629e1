import { defineConfig } from 'vite'

// The web app (a full node in a browser tab). Built into dist/web and served by the node host
// (node-host/web-routes.ts); relative asset URLs so the host may mount it under any path.
// `npm run dev` serves web/ with hot reload; set BETASCO_HOST (e.g. http://127.0.0.1:8080) to a
// running host so that the app's web/* requests (config, enrollment, directory) reach it.
const host = process.env.BETASCO_HOST

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
  server: host === undefined ? {} : { proxy: { '/web/': { target: host, changeOrigin: true } } },
})
