import type { ViteUserConfig } from "vitest/config"

const config: ViteUserConfig = {
  test: {
    include: ["test/**/*.test.ts"],
    // 2-core machines: keep workers light
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    pool: "forks",
    testTimeout: 20_000
  }
}

export default config
