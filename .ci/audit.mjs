// Supply chain (SECURITY.md, "Supply chain"): `npm audit --omit=dev --audit-level=high` must be clean,
// except for advisories listed in .ci/audit-exceptions.json, each with the reason it does not apply.
// When the advisory service cannot be reached (an offline mirror answers 405), the step says so loudly
// and does not fail: no data is not a finding, and CI with network access runs the real check.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const exceptions = JSON.parse(readFileSync(new URL('./audit-exceptions.json', import.meta.url), 'utf8'));
let out;
try {
  out = execFileSync('npm', ['audit', '--omit=dev', '--audit-level=high', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
} catch (err) {
  out = err.stdout; // npm audit exits 1 when it finds something (or fails)
}
const report = JSON.parse(out || '{}');
if (!report.vulnerabilities) {
  console.warn(`npm audit: NOT CHECKED, the advisory service did not answer (${report.message ?? 'no output'})`);
  process.exit(0);
}
const refused = [];
for (const [name, v] of Object.entries(report.vulnerabilities)) {
  for (const via of v.via.filter((x) => typeof x === 'object' && ['high', 'critical'].includes(x.severity))) {
    const id = String(via.url ?? via.source).split('/').pop();
    if (exceptions[id]) console.warn(`npm audit: ${id} (${name}, ${via.severity}) accepted: ${exceptions[id]}`);
    else refused.push(`${id} ${name} ${via.severity}: ${via.title} (${via.url})`);
  }
}
if (refused.length > 0) {
  console.error(`npm audit: high or critical advisories in production dependencies:\n  ${refused.join('\n  ')}\nFix them, or document each in .ci/audit-exceptions.json and SECURITY.md.`);
  process.exit(1);
}
console.warn(`npm audit: no high or critical advisory in production dependencies (${Object.keys(report.vulnerabilities).length} lower ones)`);
