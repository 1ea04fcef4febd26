// Fails when the packages' sources import each other in a cycle at run time (as the Effect
// monorepo's scripts/circular.mjs does): type-only imports are allowed, since they vanish
// from the JavaScript.
import * as glob from "glob"
import madge from "madge"

const result = await madge(glob.globSync(["packages/*/src/**/*.ts"]), {
  detectiveOptions: { ts: { skipTypeImports: true } }
})
const circular = result.circular()
if (circular.length > 0) {
  console.error("Circular dependencies found:")
  for (const cycle of circular) console.error(`  ${cycle.join(" -> ")}`)
  process.exit(1)
}
console.log(`No circular dependencies in ${Object.keys(result.obj()).length} modules`)
