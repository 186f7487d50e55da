/**
 * Layer direction (DESIGN.md): model <- store <- governance <- ingest/resolve/graph/watch/triage/federation <- api/cli.
 * A layer may import only layers below it, and another capability only through its index.ts.
 */
const order = ['model', 'config', 'store', 'governance', 'scenario', 'ingest', 'resolve', 'graph', 'watch', 'triage', 'federation', 'api', 'cli'];
// Which layers each layer may depend on (besides itself and shared util).
const allowed = {
  model: [],
  config: ['model'],
  store: ['model', 'config'],
  governance: ['model', 'config', 'store'],
  scenario: ['model', 'config'],
  ingest: ['model', 'config', 'store', 'governance', 'watch-port'],
  resolve: ['model', 'config', 'store', 'governance'],
  graph: ['model', 'config', 'store', 'governance', 'resolve'],
  watch: ['model', 'config', 'store', 'governance', 'resolve', 'ingest'],
  triage: ['model', 'config', 'store', 'governance', 'resolve', 'graph', 'watch'],
  federation: ['model', 'config', 'store', 'governance', 'resolve', 'watch', 'graph'],
  api: order.filter((l) => l !== 'api' && l !== 'cli'),
  cli: order.filter((l) => l !== 'cli'),
};
const forbidden = [
  {
    name: 'no-circular',
    severity: 'error',
    from: { path: '^src/', pathNot: '\\.test\\.ts$' },
    to: { circular: true },
  },
  {
    name: 'capability-public-surface',
    comment: 'Import another capability only through its index.ts.',
    severity: 'error',
    from: { path: '^src/([^/]+)/', pathNot: '\\.test\\.ts$' },
    to: { path: '^src/([^/]+)/.+', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
  },
];
for (const layer of order) {
  const ok = [layer, 'util', ...allowed[layer]];
  forbidden.push({
    name: `layer-${layer}`,
    comment: `${layer} may depend only on: ${ok.join(', ')}`,
    severity: 'error',
    from: { path: `^src/${layer}/` },
    to: { path: '^src/([^/]+)/', pathNot: ok.map((l) => `^src/${l}/`) },
  });
}
module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
