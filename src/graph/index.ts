/**
 * graph: how things connect — an in-memory network over typed arrays (built from the store
 * projection), queries (neighbourhoods, paths, time-respecting chains, connecting networks),
 * structure (centralities, communities, cut points, key players) and behavioural patterns.
 */
export { buildNetwork, csrFromEdgeList, csrFromPairs, nodeIndex } from './network.js';
export type { Csr, GraphEdge, GraphNode, GraphTime, Network } from './network.js';
export { betweenness, closeness, degreeCentrality, eigenvector } from './centrality.js';
export type { AllSourcesOptions, BetweennessResult, EigenvectorOptions, EigenvectorResult } from './centrality.js';
export { adjustedRandIndex, leiden, louvain, modularity } from './communities.js';
export type { CommunityOptions, CommunityResult } from './communities.js';
export { cutPoints, fragmentation, keyPlayers } from './structure.js';
export type { CutPoints, KeyPlayerResult, KeyPlayerStep } from './structure.js';
export { allShortPaths, connectingNetwork, MAX_HOPS, neighbourhood, shortestPath, timeRespectingPaths } from './queries.js';
export type {
  AllPathsOptions,
  ConnectingNetwork,
  ConnectOptions,
  EdgeFilter,
  NeighbourhoodOptions,
  NodeHit,
  PathList,
  PathOptions,
  PathResult,
  Subgraph,
  TimedHop,
  TimeRespectingOptions,
  TimeRespectingResult,
} from './queries.js';
export { burnerSuccession, dormancy, proxyPhones } from './patterns.js';
export type {
  ActivityRecord,
  CallRecord,
  CellRecord,
  DormancyFinding,
  DormancyOptions,
  DormancyStatus,
  HandsetRecord,
  PhoneUseRecord,
  ProxyCandidate,
  ProxyOptions,
  RelationRecord,
  SuccessionCandidate,
  SuccessionOptions,
} from './patterns.js';
export { analyseNetwork } from './analysis.js';
export type { NetworkAnalysis, NodeScores, AnalysisOptions } from './analysis.js';
export { gnm, mulberry32 } from './random.js';
export {
  checkHops,
  nodeIdsOf,
  projectGraph,
  projectStoreGraph,
  resolvedClusters,
  storeGraph,
  timelineStatements,
  type Projection,
  type ProjectionOptions,
  type ResolutionUse,
  type StoreGraph,
  type StoreGraphOptions,
} from './projection.js';
export { ProjectionCache, type ProjectionCacheStats } from './cache.js';
export { timeline } from './timeline.js';
export type { TimelineEvent } from './timeline.js';
export { coPresenceLinks, sharedAttributeLinks } from './derive.js';
export type { Attachment, CoPresenceOptions, DerivedLinks, Presence, SharedOptions } from './derive.js';
