import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{core,server,workers,evals,web/src}/**/*.test.{ts,tsx}", "tests/**/*.test.ts"],
    exclude: ["node_modules", "data", "web/dist"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
