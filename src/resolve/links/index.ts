/** Link states of the multiple-identity detector (yellow/white/green/red), judgements, undo, clusters. */
export { LINK_COLOURS, LinkBook, MemoryJudgementRepository, type CandidateLink, type ClusterResult, type IdentityFraudAlert, type Judgement, type JudgementRepository, type LinkColour, type LinkState } from './links.js';
