import type { TriageCurvePoint } from '../api/triage';

const W = 560;
const H = 240;
const PAD = { left: 52, right: 16, top: 16, bottom: 40 };

/**
 * The capacity chart: covered risk against the number of teams (SVG). The slope between points is
 * the marginal value of one more team; the declared capacity is the marked point. Points below it
 * use the first k declared teams, points above add teams of the declared mean size.
 */
export function TriageChart({ curve, totalRisk }: { curve: readonly TriageCurvePoint[]; totalRisk: number }) {
  if (curve.length < 2) return null;
  const maxX = Math.max(...curve.map((p) => p.teams), 1);
  const maxY = Math.max(...curve.map((p) => p.coveredRisk), 0.001) * 1.1;
  const x = (teams: number) => PAD.left + (teams / maxX) * (W - PAD.left - PAD.right);
  const y = (risk: number) => H - PAD.bottom - (risk / maxY) * (H - PAD.top - PAD.bottom);
  const chosenIndex = curve.findIndex((p) => p.chosen);
  const chosen = curve[chosenIndex];
  const next = chosenIndex >= 0 ? curve[chosenIndex + 1] : undefined;
  const perTeam = chosen && next && next.teams > chosen.teams ? (next.coveredRisk - chosen.coveredRisk) / (next.teams - chosen.teams) : undefined;
  const xTicks = ticks(maxX, 6).map(Math.round);
  const yTicks = ticks(maxY / 1.1, 4);
  const yStep = yTicks.length > 1 ? yTicks[1]! - yTicks[0]! : 1;
  const yDigits = Math.max(0, Math.min(4, -Math.floor(Math.log10(yStep))));
  const path = curve.map((p, i) => `${i ? 'L' : 'M'}${x(p.teams).toFixed(1)},${y(p.coveredRisk).toFixed(1)}`).join(' ');
  return (
    <figure className="triage-chart" data-testid="capacity-chart">
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-labelledby="capacity-chart-title">
        <title id="capacity-chart-title">
          Covered risk against capacity: {chosen ? `${chosen.teams} team(s) declared cover ${fmt(chosen.coveredRisk)}` : 'no declared point'} of a total risk of {fmt(totalRisk)}
        </title>
        {yTicks.map((t) => (
          <g key={`y${t}`} className="grid">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} />
            <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end">
              {t.toFixed(yDigits)}
            </text>
          </g>
        ))}
        {xTicks.map((t) => (
          <text key={`x${t}`} className="tick" x={x(t)} y={H - PAD.bottom + 16} textAnchor="middle">
            {t}
          </text>
        ))}
        <text className="axis-label" x={(PAD.left + W - PAD.right) / 2} y={H - 6} textAnchor="middle">
          teams
        </text>
        <text className="axis-label" x={12} y={(PAD.top + H - PAD.bottom) / 2} textAnchor="middle" transform={`rotate(-90 12 ${(PAD.top + H - PAD.bottom) / 2})`}>
          covered risk
        </text>
        <path className="curve" d={path} />
        {curve.map((p) => (
          <circle key={p.teams} className={p.chosen ? 'point chosen' : 'point'} cx={x(p.teams)} cy={y(p.coveredRisk)} r={p.chosen ? 6 : 2.5}>
            <title>
              {p.teams} team(s), {p.agents} agents: covered risk {fmt(p.coveredRisk)}
            </title>
          </circle>
        ))}
        {chosen && (
          <text className="chosen-label" x={Math.min(x(chosen.teams) + 10, W - 190)} y={Math.min(y(chosen.coveredRisk) + 22, H - PAD.bottom - 6)}>
            declared: {chosen.teams} team(s), {fmt(chosen.coveredRisk)}
          </text>
        )}
      </svg>
      <figcaption className="small muted">
        {chosen ? `${chosen.agents} agents in ${chosen.teams} team(s) cover ${fmt(chosen.coveredRisk)} of a total risk of ${fmt(totalRisk)}.` : ''}{' '}
        {perTeam !== undefined ? `One more team would cover about ${fmt(perTeam)} more.` : ''}
      </figcaption>
    </figure>
  );
}

/** A risk sum with two significant digits below 1 (the fixture's and a small unit's risks are small). */
function fmt(v: number): string {
  return v >= 1 || v === 0 ? v.toFixed(2) : v.toPrecision(2);
}

/** Round tick values from 0 to max. */
function ticks(max: number, count: number): number[] {
  if (max <= 0) return [0];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + 1e-9; v += step) out.push(Number(v.toFixed(6)));
  return out;
}
