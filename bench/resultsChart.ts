/**
 * bench/results/latest.svg from the rows of `npm run bench`: one bar per
 * row that has a target, its length the measured value as a fraction of
 * the target (so the target line is at the same place for every row), green
 * when met, red when not. Hand-written SVG, no dependency.
 */

export interface BenchRow {
  measure: string;
  /** As printed in the table. */
  value: string;
  /** The number compared with the target. */
  ratio?: number;
  target?: number;
  better?: 'lower' | 'higher';
}

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderSvg(title: string, rows: readonly BenchRow[]): string {
  const charted = rows.filter((r) => r.ratio !== undefined && r.target !== undefined && Number.isFinite(r.ratio));
  const labelW = 560;
  const barW = 420;
  const rowH = 26;
  const top = 56;
  const width = labelW + barW + 220;
  const height = top + charted.length * rowH + 40;
  // The target sits at 40% of the bar width; bars are clipped at 2.5× the target.
  const targetX = labelW + barW * 0.4;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="10" y="40" fill="#555">bar = measured ÷ target (for "higher is better" rows: target ÷ measured); the line is the target; green met, red not</text>`,
  ];
  charted.forEach((r, i) => {
    const y = top + i * rowH;
    const ratio = r.ratio ?? 0;
    const target = r.target ?? 1;
    const rel = r.better === 'higher' ? (ratio > 0 ? target / ratio : 10) : ratio / target;
    const met = rel <= 1;
    const len = Math.min(rel, 2.5) * barW * 0.4;
    out.push(`<text x="10" y="${y + 16}">${escapeXml(r.measure.length > 86 ? `${r.measure.slice(0, 85)}…` : r.measure)}</text>`);
    out.push(`<rect x="${labelW}" y="${y + 4}" width="${len.toFixed(1)}" height="${rowH - 8}" fill="${met ? '#3a9a48' : '#c8423a'}"/>`);
    const shown = r.value.length > 34 ? `${r.value.slice(0, 33)}…` : r.value;
    out.push(`<text x="${labelW + barW + 8}" y="${y + 16}" fill="#333">${escapeXml(shown)}</text>`);
  });
  out.push(
    `<line x1="${targetX}" y1="${top - 4}" x2="${targetX}" y2="${top + charted.length * rowH}" stroke="black" stroke-dasharray="4 3"/>`,
  );
  out.push(`<text x="${targetX - 18}" y="${top + charted.length * rowH + 16}">target</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
