// The targets, checked against the measured rows. Each returns met / missed / not measured.

/** Markdown section listing every target with its measured value. */
export function evaluateTargets(results) {
  const lines = ['## Targets', '', '| target | measured | status |', '|---|---|---|'];
  for (const t of TARGETS) {
    const r = t.check(results);
    lines.push(
      `| ${t.target} | ${r?.measured ?? 'not measured in this run'} | ${r ? (r.met ? 'met' : '**missed**') : '—'} |`,
    );
  }
  lines.push('', 'Why a target is missed, and what it would take, is in the commentary above.');
  return lines.join('\n');
}

const TARGETS = [];
