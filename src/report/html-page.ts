import type { UsageRow } from '../shared/metrics.js';
import type { Report } from '../shared/report.js';
import { burnUpChart, costChart, costLegend, burnUpLegend, durationChart, modelChart } from './charts.js';
import { usd, utc } from './format.js';
import { html, type Html } from './html-text.js';
import {
  answersText,
  CHECKPOINT_COLUMNS,
  checkpointRow,
  FINDING_HEAD,
  findingKind,
  findingSeen,
  findingStatus,
  findingWhere,
  lastVerificationText,
  metricRows,
  NO_OPEN_FINDINGS,
  NONE_YET_CHECKPOINTS,
  NONE_YET_DESIGN,
  questionOutcome,
  scopeLine,
  statusText,
  verificationText,
} from './sections.js';

/**
 * Light and dark follow the reader's preference; print is black on white with no page break inside a chart or a
 * table row. Contrast of every text colour is at least 4.5:1 on its background.
 */
const CSS = `
:root{color-scheme:light dark;--bg:#ffffff;--fg:#1b1f24;--muted:#4a5360;--line:#d0d7de;--head:#f3f5f7;
--s0:#1f5fbf;--s1:#2e8b57;--s2:#b35c00;--s3:#8a3ffc;--s4:#c9184a;--s5:#00788a;--ok:#1a7f37;--bad:#b42318}
@media (prefers-color-scheme:dark){:root{--bg:#0f1419;--fg:#e6edf3;--muted:#a8b3bf;--line:#3a434d;--head:#1a2129;
--s0:#6ea8fe;--s1:#5cc98a;--s2:#f0a35e;--s3:#b794ff;--s4:#ff7a9a;--s5:#4fd1e0;--ok:#5cc98a;--bad:#ff8a80}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1100px;padding:24px;background:var(--bg);color:var(--fg);
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
h1{font-size:1.7em;margin:0 0 4px}h2{margin-top:2em;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{margin-top:1.5em}
.scope{color:var(--muted);margin:0}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--head)}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.nowrap{white-space:nowrap}td.path{word-break:break-all}
.verified{color:var(--ok);font-weight:600}.not-verified{color:var(--bad)}
.sev-critical,.sev-major{color:var(--bad);font-weight:600}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:16px}
figure{margin:0;break-inside:avoid}figcaption{font-weight:600;margin-bottom:4px}
svg.chart{width:100%;height:auto;max-width:640px;display:block}
.axis text,.label{fill:var(--muted);font-size:12px}.axis line{stroke:var(--line)}.grid{stroke:var(--line);stroke-dasharray:2 3}
.line{fill:none;stroke-width:2}.area{fill-opacity:.55}
.s0{fill:var(--s0);stroke:var(--s0)}.s1{fill:var(--s1);stroke:var(--s1)}.s2{fill:var(--s2);stroke:var(--s2)}
.s3{fill:var(--s3);stroke:var(--s3)}.s4{fill:var(--s4);stroke:var(--s4)}.s5{fill:var(--s5);stroke:var(--s5)}
.line.s0{fill:none}.area{stroke-width:1}
.legend{list-style:none;padding:0;margin:4px 0;display:flex;flex-wrap:wrap;gap:12px}
.swatch{display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:-1px;background:currentColor}
.swatch.s0{background:var(--s0)}.swatch.s1{background:var(--s1)}.swatch.s2{background:var(--s2)}
.swatch.s3{background:var(--s3)}.swatch.s4{background:var(--s4)}.swatch.s5{background:var(--s5)}
.empty{color:var(--muted)}
@media print{:root{--bg:#fff;--fg:#000;--muted:#333;--line:#999;--head:#eee}
body{max-width:none;padding:0;font-size:11pt}.charts{grid-template-columns:1fr 1fr}
tr,figure,svg{break-inside:avoid}h2,h3{break-after:avoid}}
`;

function usageTable(title: string, key: string, rows: readonly UsageRow[]): Html {
  return html`<h3>${title}</h3>
    ${
      rows.length === 0
        ? html`<p class="empty">None.</p>`
        : html`<table>
            <thead>
              <tr>
                <th scope="col">${key}</th>
                <th scope="col">Sessions</th>
                <th scope="col">Cost</th>
              </tr>
            </thead>
            <tbody>
              ${rows.map(
                (r) =>
                  html`<tr>
                    <td>${r.key}</td>
                    <td class="num">${r.sessions}</td>
                    <td class="num">${usd(r.costUsd)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }`;
}

function figure(caption: string, chart: Html | null, empty: string, extra?: Html): Html {
  return html`<figure>
    <figcaption>${caption}</figcaption>
    ${chart ?? html`<p class="empty">${empty}</p>`}${chart ? extra : null}
  </figure>`;
}

/** The checkpoints and the open findings, worst first (every cell interpolated, so agent text lands as text). */
function checkpointsSection(r: Report): Html {
  if (r.checkpoints.length === 0) return html`<p class="empty">${NONE_YET_CHECKPOINTS}</p>`;
  return html`<table id="checkpoints">
      <thead>
        <tr>
          ${CHECKPOINT_COLUMNS.map(([, head]) => html`<th scope="col">${head}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${r.checkpoints.map((c) => {
          const row = checkpointRow(c);
          return html`<tr>
            ${CHECKPOINT_COLUMNS.map(([key, , layout]) =>
              layout === null ? html`<td>${row[key]}</td>` : html`<td class="${layout}">${row[key]}</td>`,
            )}
          </tr>`;
        })}
      </tbody>
    </table>
    <h3>Open findings</h3>
    ${
      r.openFindings.length === 0
        ? html`<p class="empty">${NO_OPEN_FINDINGS}</p>`
        : html`<table id="open-findings">
            <thead>
              <tr>
                ${FINDING_HEAD.map((head) => html`<th scope="col">${head}</th>`)}
              </tr>
            </thead>
            <tbody>
              ${r.openFindings.map(
                (f) =>
                  html`<tr>
                    <td class="sev-${f.severity}">${f.severity}</td>
                    <td>${f.title}</td>
                    <td>${findingWhere(f)}</td>
                    <td>${findingKind(f)}</td>
                    <td>${findingSeen(f)}</td>
                    <td>${findingStatus(f)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }`;
}

const featureRef = (id: number, name: string | null) => `#${id}${name ? ` ${name}` : ''}`;

/**
 * The report as one self-contained HTML file: inline CSS, charts as inline SVG, no script, no external URL (its
 * Content-Security-Policy forbids loading anything). Pure: the same report gives the same page.
 */
export function reportHtml(r: Report): string {
  const m = r.metrics;
  const { questions, overrides, disputes } = r.interventions;
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>Report: ${r.project}</title>
        <style>
          ${CSS}
        </style>
      </head>
      <body>
        <main>
          <h1>Report: ${r.project}</h1>
          <p class="scope">${scopeLine(r)}</p>
          <h2>Metrics</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Metric</th>
                <th scope="col">Value</th>
                <th scope="col">Notes</th>
              </tr>
            </thead>
            <tbody>
              ${metricRows(m).map(
                (row) =>
                  html`<tr>
                    <th scope="row">${row.metric}</th>
                    <td>${row.value}</td>
                    <td>${row.note}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
          <div class="charts">
            ${figure('Burn-up', burnUpChart(m), 'No features yet.', burnUpLegend())}
            ${figure('Cost over time by role', costChart(m), 'No session has ended yet.', costLegend(m))}
            ${figure('Feature duration distribution', durationChart(m), 'No feature has landed yet.')}
            ${figure('Cost by model', modelChart(m), 'No session has ended yet.')}
          </div>
          ${usageTable('Cost by role', 'Role', m.cost.byRole)} ${usageTable('Cost by model', 'Model', m.cost.byModel)}
          ${usageTable('Wasted spend by reason', 'Reason', m.cost.wasted.byReason)}
          <h2>Backlog</h2>
          ${
            r.backlog.length === 0
              ? html`<p class="empty">No features yet.</p>`
              : html`<table>
                  <thead>
                    <tr>
                      <th scope="col">#</th>
                      <th scope="col">Feature</th>
                      <th scope="col">Category</th>
                      <th scope="col">Status</th>
                      <th scope="col">Verification</th>
                      <th scope="col">Last verification</th>
                      <th scope="col">Attempts</th>
                      <th scope="col">Cost</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${r.backlog.map(
                      (f) =>
                        html`<tr>
                          <td class="num">${f.id}</td>
                          <td>${f.name}</td>
                          <td>${f.category}</td>
                          <td>${statusText(f.status)}</td>
                          <td class="${f.verified ? 'verified' : 'not-verified'}">${verificationText(f)}</td>
                          <td>${lastVerificationText(f)}</td>
                          <td class="num">${f.attempts}</td>
                          <td class="num">${usd(f.costUsd)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }
          <h2>Human interventions</h2>
          <h3>Questions</h3>
          ${
            questions.length === 0
              ? html`<p class="empty">None.</p>`
              : html`<table>
                  <thead>
                    <tr>
                      <th scope="col">Asked</th>
                      <th scope="col">Feature</th>
                      <th scope="col">Question</th>
                      <th scope="col">Answers</th>
                      <th scope="col">Outcome</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${questions.map(
                      (q) =>
                        html`<tr>
                          <td>${utc(q.askedAt)}</td>
                          <td>${featureRef(q.featureId, q.featureName)}</td>
                          <td>${q.prompt}</td>
                          <td>${answersText(q.answers, q.secretKeys)}</td>
                          <td>${questionOutcome(q)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }
          <h3>Overrides of the supervisor</h3>
          ${
            overrides.length === 0
              ? html`<p class="empty">None.</p>`
              : html`<table>
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Feature</th>
                      <th scope="col">Question</th>
                      <th scope="col">Supervisor answered</th>
                      <th scope="col">A human answered instead</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${overrides.map(
                      (o) =>
                        html`<tr>
                          <td>${utc(o.at)}</td>
                          <td>${featureRef(o.featureId, o.featureName)}</td>
                          <td>${o.prompt}</td>
                          <td>${answersText(o.supervisorAnswers)}</td>
                          <td>${answersText(o.humanAnswers)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }
          <h3>Disputes of acceptance checks</h3>
          ${
            disputes.length === 0
              ? html`<p class="empty">None.</p>`
              : html`<table>
                  <thead>
                    <tr>
                      <th scope="col">Raised</th>
                      <th scope="col">Feature</th>
                      <th scope="col">Why the agent disputed</th>
                      <th scope="col">Decision</th>
                      <th scope="col">Decided by</th>
                      <th scope="col">Reason given</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${disputes.map(
                      (d) =>
                        html`<tr>
                          <td>${utc(d.createdAt)}</td>
                          <td>${featureRef(d.featureId, d.featureName)}</td>
                          <td>${d.reason}</td>
                          <td>${d.status}</td>
                          <td>${d.decidedBy === null ? '—' : `${d.decidedBy}, ${utc(d.decidedAt)}`}</td>
                          <td>${d.decisionReason ?? '—'}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }
          <h2>Checkpoints</h2>
          ${checkpointsSection(r)}
          <h2>Design iterations</h2>
          <p class="empty">${NONE_YET_DESIGN}</p>
        </main>
      </body>
    </html> `;
  return page.value;
}
