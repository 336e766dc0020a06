import { defineConfig } from 'vite';

// The gateway serves "/" and "/dashboard/..." with index.html and "/static/..." as files,
// so every built asset goes under static/. `npm run dev` proxies the API to a local server
// (WA_SERVER, default http://127.0.0.1:8080).
const server = process.env.WA_SERVER || 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    assetsDir: 'static',
    emptyOutDir: true,
    target: 'es2020',
    chunkSizeWarningLimit: 300,
  },
  server: {
    proxy: { '/api/v1': { target: server, changeOrigin: false } },
  },
});
