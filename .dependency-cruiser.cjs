// Layer rules, checked by `npm run layers` (and so by .ci/run before the tests).
// The plugin's layers point down only: main → cli → verbs → recipes → engine → kube; a type
// that crosses a layer lives in the lower one. src/version.ts is a leaf any layer may read.
const LAYERS = ['main', 'cli', 'verbs', 'recipes', 'engine', 'kube'];
const layerPath = (layer) => (layer === 'main' ? '^src/main[.]ts$' : `^src/${layer}/`);

/** One rule per layer: nothing in it imports a layer above it. */
const layerRules = LAYERS.slice(1).map((layer, index) => ({
  name: `${layer}-imports-up`,
  comment: `${layer} may import only ${LAYERS.slice(index + 2).join(', ') || 'nothing of ours'} (main → cli → verbs → recipes → engine → kube)`,
  severity: 'error',
  from: { path: layerPath(layer) },
  to: { path: LAYERS.slice(0, index + 1).map(layerPath) },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'Modules import each other in a circle: one of them owns what both need',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-imports-outside-src',
      comment: 'The shipped code never imports test, build, bench or demo code',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|build|bench|demo)/' },
    },
    {
      name: 'version-is-a-leaf',
      comment: 'src/version.ts is read by every layer, so it imports nothing of ours',
      severity: 'error',
      from: { path: '^src/version[.]ts$' },
      to: { path: '^src/' },
    },
    {
      name: 'suites-share-only-the-test-library',
      comment:
        'A suite imports test code of another suite only through the test library (test/lib/) or the simulator (test/sim/)',
      severity: 'error',
      from: { path: '^test/([^/]+)/' },
      to: { path: '^test/', pathNot: ['^test/$1/', '^test/lib/', '^test/sim/'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|[.]cache|[.]sim)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
