import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{core,agents,server,workers,evals,web/src}/**/*.test.{ts,tsx}", "tests/**/*.test.ts"],
    exclude: ["node_modules", "data", "web/dist"],
    // Integration tests start PGlite, servers and workers: generous limits for a loaded 2-core CI machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
