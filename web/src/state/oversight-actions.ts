import { ApiError } from '../api/client';
import { oversightApi, type AuditFilter, type DossierFormat } from '../api/oversight';
import { handleError } from './actions';
import { initialAuditFilter, type AuditViewState, type DossierState, type DossierTarget, type DpoState } from './oversight-model';
import { getState, setState, type Route } from './store';

/** Audit viewer, DPO report and dossier export actions. */

function patchAudit(p: Partial<AuditViewState>): void {
  setState((s) => ({ auditView: { ...s.auditView, ...p } }));
}
function patchDpo(p: Partial<DpoState>): void {
  setState((s) => ({ dpo: { ...s.dpo, ...p } }));
}
function patchDossier(p: Partial<DossierState>): void {
  setState((s) => ({ dossier: { ...s.dossier, ...p } }));
}

/** Arriving on `#/audit`: the newest page and the chain state, unless already shown. */
export function syncAudit(_route: Route): void {
  const a = getState().auditView;
  if (!a.page && !a.loading) void loadAuditPage(undefined);
  if (!a.chain && !a.checking) void verifyAuditChain();
}

export function editAuditFilter(patch: Partial<AuditFilter>): void {
  setState((s) => ({ auditView: { ...s.auditView, filter: { ...s.auditView.filter, ...patch } } }));
}

export function resetAuditFilter(): void {
  editAuditFilter(initialAuditFilter);
  void loadAuditPage(undefined, true);
}

/** Loads one page: `before` undefined is the newest; `fresh` starts a new trail (new filters). */
export async function loadAuditPage(before: number | undefined, fresh = false): Promise<void> {
  patchAudit({ loading: true, error: undefined });
  try {
    const page = await oversightApi.auditEntries(getState().auditView.filter, before === undefined ? {} : { before });
    setState((s) => {
      const trail = fresh || before === undefined ? [undefined] : s.auditView.trail.includes(before) ? s.auditView.trail.slice(0, s.auditView.trail.indexOf(before) + 1) : [...s.auditView.trail, before];
      return { auditView: { ...s.auditView, page, trail, loading: false, openSeq: undefined } };
    });
  } catch (e) {
    patchAudit({ loading: false, error: handleError(e) });
  }
}

/** Runs the filters from the newest entry. */
export function searchAudit(): Promise<void> {
  return loadAuditPage(undefined, true);
}

/** The next older page, or back to the previous newer one. */
export function auditOlder(): Promise<void> {
  const next = getState().auditView.page?.nextBeforeSeq;
  return next ? loadAuditPage(next) : Promise.resolve();
}
export function auditNewer(): Promise<void> {
  const trail = getState().auditView.trail;
  return loadAuditPage(trail.length > 1 ? trail[trail.length - 2] : undefined);
}

export function openAuditEntry(seq: number | undefined): void {
  patchAudit({ openSeq: getState().auditView.openSeq === seq ? undefined : seq });
}

/** Verifies the hash chain and its signed checkpoints (the check is logged too). */
export async function verifyAuditChain(): Promise<void> {
  patchAudit({ checking: true });
  try {
    patchAudit({ chain: await oversightApi.auditChain(), checking: false });
  } catch (e) {
    patchAudit({ checking: false, error: handleError(e) });
  }
}

/** Arriving on `#/dpo`: the report for the last 30 days, unless shown. */
export function syncDpo(_route: Route): void {
  const d = getState().dpo;
  if (!d.report && !d.loading) void loadDpoReport();
}

export function editDpoWindow(patch: Partial<Pick<DpoState, 'from' | 'to'>>): void {
  patchDpo(patch);
}

export async function loadDpoReport(): Promise<void> {
  const { from, to } = getState().dpo;
  patchDpo({ loading: true, error: undefined });
  try {
    patchDpo({ report: await oversightApi.dpoReport(from || undefined, to || undefined), loading: false });
  } catch (e) {
    patchDpo({ loading: false, error: handleError(e) });
  }
}

/** Opens the export dialog for a subject or the session's case; the recipient defaults to the first partner agency. */
export function openDossierDialog(target: DossierTarget): void {
  const { meta, session, dossier } = getState();
  const partners = (meta?.agencies ?? []).filter((a) => a.id !== session?.user.agency);
  const recipient = dossier.recipient || partners[0]?.id || '';
  const clearance = dossier.clearance || meta?.classifications[0] || '';
  patchDossier({ target, recipient, clearance, error: undefined, busy: false });
}

export function closeDossierDialog(): void {
  patchDossier({ target: undefined, error: undefined });
}

export function editDossier(patch: Partial<Pick<DossierState, 'recipient' | 'clearance' | 'format' | 'name'>> & { format?: DossierFormat }): void {
  patchDossier(patch);
}

/** Saves a downloaded file through the browser (an object URL clicked as a download link). */
function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Exports the dossier (a disclosure, logged by the server), downloads it and keeps what was withheld to show. */
export async function exportDossier(): Promise<void> {
  const { dossier, session } = getState();
  const target = dossier.target;
  if (!target || !session) return;
  if (!dossier.recipient) {
    patchDossier({ error: 'choose the recipient agency' });
    return;
  }
  patchDossier({ busy: true, error: undefined });
  try {
    const file = await oversightApi.exportDossier(
      {
        ...(target.subject ? { subject: target.subject } : {}),
        ...(target.caseId ? { caseId: target.caseId } : {}),
        recipient: dossier.recipient,
        clearance: dossier.clearance,
        format: dossier.format,
        ...(dossier.name.trim() ? { name: dossier.name.trim() } : {}),
      },
      session.csrfToken,
    );
    saveFile(file.blob, file.fileName);
    patchDossier({ busy: false, target: undefined, last: { fileName: file.fileName, withheld: file.withheld, released: file.released, disclosure: file.disclosure, recipient: dossier.recipient, label: target.label } });
  } catch (e) {
    const message = e instanceof ApiError ? handleError(e) : String(e);
    patchDossier({ busy: false, error: message });
  }
}
