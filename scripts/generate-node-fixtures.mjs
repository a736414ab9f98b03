// Runs the Node-compatibility cases in Node and writes what Node answers, once, to commit.
//   node scripts/generate-node-fixtures.mjs            (every area)
//   node scripts/generate-node-fixtures.mjs buffer url (some areas)
// Node is only the reference here; Quill does not depend on it.
import { createRequire } from 'node:module';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'Tests', 'PluginRuntimeTests', 'NodeCompatibility');
const require = createRequire(import.meta.url);
const normalize = vm.runInThisContext(readFileSync(join(root, 'normalize.js'), 'utf8'));
const AsyncFunction = (async () => {}).constructor;

const areas = process.argv.slice(2).length
  ? process.argv.slice(2)
  : readdirSync(join(root, 'cases')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));

for (const area of areas) {
  const cases = JSON.parse(readFileSync(join(root, 'cases', `${area}.json`), 'utf8'));
  const expected = {};
  for (const { name, code } of cases) {
    if (name in expected) throw new Error(`${area}: duplicate case name '${name}'`);
    try {
      expected[name] = { value: normalize(await new AsyncFunction('require', code)(require)) };
    } catch (error) {
      expected[name] = { error: error && error.name ? error.name : String(error) };
    }
  }
  writeFileSync(join(root, 'expected', `${area}.json`), JSON.stringify(expected, null, 1) + '\n');
  console.log(`${area}: ${cases.length} cases`);
}
