// The dashboard is built into the server package's dist/dashboard-app/ (so the published
// server carries the page it serves): index.html and content-hashed files under assets/,
// with relative URLs, so the server can serve it at any path. Nothing comes from a CDN.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  base: "./",
  build: {
    outDir: fileURLToPath(new URL("../server/dist/dashboard-app", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
  },
});
