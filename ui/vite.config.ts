import { defineConfig } from "vitest/config";
import preact from "@preact/preset-vite";

// Static files for the Tauri shell: relative paths, nothing loaded from the network.
export default defineConfig({
  plugins: [preact()],
  base: "./",
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    target: "es2020",
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
  },
});
