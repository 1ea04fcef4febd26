import { mergeConfig, type ViteUserConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

// Only fast checks of the bench's own code (the report); the benchmarks themselves run
// with `pnpm bench`, never under vitest.
const config: ViteUserConfig = {}

export default mergeConfig(shared, config)
