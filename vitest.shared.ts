import type { ViteUserConfig } from "vitest/config"

// What every project shares; the pool and the file order are global (vitest.config.ts).
const config: ViteUserConfig = {
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000
  }
}

export default config
