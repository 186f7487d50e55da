import type { Envelope } from '../envelope.js';

/** Most entity ids taken from one message's released statements into its ledger references. */
const MAX_ENTITY_REFS = 200;

/**
 * The correlation ids a message carries (hit, request, alert, notice, PSI session, pointers; the
 * entities of released or rectified statements) and the cases it names. The ledger indexes them, so
 * `ledger replay` can follow a subject from an alert to the hit, the request and the answer.
 */
export function messageRefs(envelope: Envelope): { refs: string[]; cases: string[] } {
  const refs = new Set<string>();
  const cases = new Set<string>();
  const entities = (statements: readonly { entityId: string }[]) => {
    for (const s of statements.slice(0, MAX_ENTITY_REFS)) refs.add(s.entityId);
  };
  switch (envelope.type) {
    case 'hit.notice': {
      const b = envelope.body;
      refs.add(b.hitId);
      if (b.pointerId !== undefined) refs.add(b.pointerId);
      if (b.psiSessionId !== undefined) refs.add(b.psiSessionId);
      cases.add(b.caseId);
      break;
    }
    case 'followup.request':
      refs.add(envelope.body.requestId).add(envelope.body.hitId);
      cases.add(envelope.body.caseId);
      break;
    case 'followup.response':
      refs.add(envelope.body.requestId);
      entities(envelope.body.statements);
      break;
    case 'followup.escalation':
      refs.add(envelope.body.requestId);
      break;
    case 'alert':
      refs.add(envelope.body.alertId);
      for (const p of envelope.body.subject.pointerIds) refs.add(p);
      cases.add(envelope.body.caseId);
      break;
    case 'deconfliction.notice':
      refs.add(envelope.body.noticeId).add(envelope.body.hitId);
      for (const c of envelope.body.caseIds) cases.add(c);
      break;
    case 'rectification':
      refs.add(envelope.body.noticeId);
      entities(envelope.body.replacements);
      break;
    case 'psi.offer':
    case 'psi.reply':
    case 'psi.final':
      refs.add(envelope.body.sessionId);
      break;
    case 'receipt':
      refs.add(envelope.body.of);
      break;
    case 'pointer.publish':
      // Up to 200,000 opaque pointers: indexing each would dwarf the ledger. Replay reaches a
      // publication through the hit that names its pointer instead.
      break;
  }
  return { refs: [...refs], cases: [...cases] };
}
