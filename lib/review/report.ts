import type { ChangeKind, ResourceReview, StackReview } from './analyze';
import type { ExportInUse } from './exports';
import type { ReleaseReview, StatefulChange } from './review';

/** How each destructive kind is shouted in the report. */
const LOUD: Partial<Record<ChangeKind, string>> = {
  overwritten: 'VALUE OVERWRITTEN',
  shortened: 'RETENTION SHORTENED (older data deleted)',
  replaced: 'REPLACED',
  'may-replace': 'MAY BE REPLACED',
  removed: 'DELETED',
  orphaned: 'REMOVED FROM STACK (kept in account)',
  'left-behind': 'LEFT BEHIND (no longer used)',
};

/** What the blocking kinds do, in one phrase. */
const LOSSES = 'replaced, deleted, overwritten, cut short or left behind';
const LOSES_DATA = `would be ${LOSSES}`;

export interface ReportHeading {
  /** The git ref the working tree is compared with. */
  readonly base: string;
}

function counts(stack: StackReview): string {
  const of = (...kinds: ChangeKind[]) => stack.resources.filter((r) => kinds.includes(r.kind)).length;
  const parts = [
    `${of('added')} added`,
    `${of('updated', 'overwritten', 'shortened')} changed`,
    `${of('replaced', 'may-replace')} replaced`,
    `${of('removed', 'orphaned')} removed`,
  ];
  if (stack.assetOnly.length > 0) parts.push(`${stack.assetOnly.length} asset-hash only`);
  return parts.join(', ');
}

function label(resource: ResourceReview): string {
  return `${resource.logicalId} (${resource.type}${resource.stateful ? ', STATEFUL' : ''})`;
}

function why(resource: ResourceReview): string {
  return resource.reasons.length > 0 ? `: ${resource.reasons.join('; ')}` : '';
}

/** The `--allow` arguments that let `changes` through: a stack that left the app by its id, once. */
function allowHint(changes: readonly StatefulChange[]): string {
  const ids = changes.map((change) =>
    change.resource.kind === 'left-behind' ? change.stackId : `${change.stackId}/${change.resource.logicalId}`,
  );
  return [...new Set(ids)].map((id) => `--allow ${id}`).join(' ');
}

/** One export in use: what happens to it, who imports it, and the way through (if there is one). */
function exportLines(entry: ExportInUse): { problem: string; remedy: string } {
  const what = { removed: 'is removed', changes: 'changes', 'may-change': 'may change' }[entry.change];
  const outcome = entry.change === 'may-change' ? 'if it does, the deploy fails' : 'the deploy fails';
  const problem = `${entry.exporter} export '${entry.exportName}' ${what} (${entry.reason}) while ${entry.importers.join(', ')} import(s) it: CloudFormation refuses that, so ${outcome} and rolls back.`;
  if (entry.wayThrough) {
    const commands = entry.releasedBy.map((id) => `npx cdk deploy --exclusively '${id}'`).join('; ');
    return {
      problem,
      remedy: `Deploy ${entry.releasedBy.join(', ')} alone first (${commands}), then the rest; the release action does this itself.`,
    };
  }
  if (entry.leftTheApp.length > 0) {
    return {
      problem,
      remedy: `${entry.leftTheApp.join(', ')} left the app but is still deployed and imports it: delete that stack first (aws cloudformation delete-stack).`,
    };
  }
  const remedy =
    entry.change === 'removed'
      ? 'No deploy order works: an importer still imports it, or imports exports that are not deployed yet. Keep the old export one more release (Stack.exportValue), then remove it.'
      : 'No deploy order works while the import stays: see README, "Known limitations".';
  return { problem, remedy };
}

/** `--allow` arguments that let blocking exports through, for when their importers go first. */
function exportAllowHint(entries: readonly ExportInUse[]): string {
  return entries.map((entry) => `--allow ${entry.exportName}`).join(' ');
}

/** The review as plain text for a terminal or CI log. */
export function renderText(review: ReleaseReview, heading: ReportHeading): string {
  const lines = [`Release review: working tree against ${heading.base}`, ''];
  for (const env of review.environments) {
    lines.push(`== ${env.name} ${'='.repeat(Math.max(3, 60 - env.name.length))}`);
    for (const stack of env.stacks) {
      if (stack.status === 'gone') {
        lines.push(`${stack.stackId}: no longer in the app (cdk deploy leaves the deployed stack alone)`);
        for (const resource of stack.resources) lines.push(`  !! ${LOUD[resource.kind]}: ${label(resource)}`);
        continue;
      }
      if (stack.status === 'unchanged') {
        lines.push(`${stack.stackId}: no changes`);
        continue;
      }
      lines.push(`${stack.stackId}${stack.status === 'new' ? ' (new stack)' : ''}: ${counts(stack)}`);
      for (const resource of stack.resources) {
        const loud = LOUD[resource.kind];
        if (loud) lines.push(`  !! ${loud}: ${label(resource)}${why(resource)}`);
      }
      for (const [kind, sign] of [
        ['added', '+'],
        ['updated', '~'],
      ] as const) {
        for (const resource of stack.resources.filter((r) => r.kind === kind)) {
          lines.push(`  ${sign} ${label(resource)}${why(resource)}`);
        }
      }
      if (stack.assetOnly.length > 0) {
        lines.push(`  asset hashes only (new Lambda code or CDK-built images): ${stack.assetOnly.join(', ')}`);
      }
      if (stack.other.length > 0) lines.push(`  also changed: ${stack.other.join(', ')}`);
    }
    lines.push('');
  }
  for (const entry of review.exportsInUse) {
    const { problem, remedy } = exportLines(entry);
    const label = review.blockingExports.includes(entry) ? ' (blocks)' : '';
    lines.push(`!! EXPORT IN USE${label}: ${problem}`, `   ${remedy}`);
  }
  for (const entry of review.allowedExports) {
    lines.push(
      `Allowed by --allow: export ${entry.exportName} (remove ${entry.importers.join(', ')} before deploying)`,
    );
  }
  for (const change of review.allowed) {
    lines.push(`Allowed by --allow: ${change.stackId}/${change.resource.logicalId} (${change.resource.kind})`);
  }
  for (const entry of review.unusedAllows) {
    lines.push(`Note: --allow ${entry} matched no blocking change of a stateful resource, and no blocking export`);
  }
  if (review.blocking.length === 0 && review.blockingExports.length === 0) {
    lines.push(`RESULT: OK, ${okVerdict(review)}`);
    if (review.exportsInUse.length > 0) {
      lines.push(`Before you deploy, read the ${review.exportsInUse.length} export warning(s) above.`);
    }
  }
  if (review.blocking.length > 0) {
    lines.push(`RESULT: BLOCKED, ${review.blocking.length} stateful resource(s) ${LOSES_DATA}:`);
    for (const change of review.blocking) {
      lines.push(
        `  ${change.stackId}/${change.resource.logicalId}  ${change.resource.type}  ${LOUD[change.resource.kind]}: ${change.holds}`,
      );
    }
    lines.push(`If this is intended, run again with: ${allowHint(review.blocking)}`);
  }
  if (review.blockingExports.length > 0) {
    lines.push(
      `RESULT: BLOCKED, the deploy would fail on ${review.blockingExports.length} export(s) in use (above), whatever the order.`,
      `If you will remove their importers first, run again with: ${exportAllowHint(review.blockingExports)}`,
    );
  }
  return lines.join('\n');
}

/** Why a review with nothing blocking is OK: nothing stateful is touched, or only what --allow let through. */
function okVerdict(review: ReleaseReview): string {
  return review.allowed.length === 0
    ? `no stateful resource is ${LOSSES}.`
    : `${review.allowed.length} stateful resource(s) ${LOSSES}, each allowed by --allow.`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The review as GitHub-flavoured Markdown, for a job summary or a pull-request comment. */
export function renderMarkdown(review: ReleaseReview, heading: ReportHeading): string {
  const lines = [`## Release review against \`${heading.base}\``, ''];
  if (review.blocking.length === 0 && review.blockingExports.length === 0) {
    lines.push(`**OK:** ${okVerdict(review)}`, '');
  } else if (review.blocking.length > 0) {
    lines.push(
      `> [!CAUTION]`,
      `> **BLOCKED:** ${review.blocking.length} stateful resource(s) ${LOSES_DATA}. If this is intended, run the review with \`${allowHint(review.blocking)}\`.`,
      '',
      '| stack | resource | type | change | what is lost |',
      '|---|---|---|---|---|',
      ...review.blocking.map(
        (c) =>
          `| ${c.stackId} | \`${c.resource.logicalId}\` | ${c.resource.type} | **${LOUD[c.resource.kind]}** | ${cell(c.holds)} |`,
      ),
      '',
    );
  }
  for (const entry of review.exportsInUse) {
    const { problem, remedy } = exportLines(entry);
    const blocks = review.blockingExports.includes(entry);
    const allowed = review.allowedExports.includes(entry)
      ? ` Allowed by \`--allow\`: remove ${entry.importers.join(', ')} before deploying.`
      : '';
    lines.push(
      blocks ? '> [!CAUTION]' : '> [!WARNING]',
      `> **${blocks ? 'BLOCKED, export in use' : 'Export in use'}:** ${problem} ${remedy}${allowed}${blocks ? ` If you will remove its importers first, run the review with \`${exportAllowHint([entry])}\`.` : ''}`,
      '',
    );
  }
  for (const change of review.allowed) {
    lines.push(
      `- Allowed by \`--allow\`: \`${change.stackId}/${change.resource.logicalId}\` (${change.resource.kind})`,
    );
  }
  for (const env of review.environments) {
    lines.push(`### ${env.name}`, '');
    for (const stack of env.stacks) {
      if (stack.status === 'unchanged') {
        lines.push(`- \`${stack.stackId}\`: no changes`);
        continue;
      }
      if (stack.status === 'gone') {
        const held = stack.resources.map((r) => `\`${r.logicalId}\``).join(', ');
        lines.push(`- \`${stack.stackId}\`: no longer in the app${held ? `; **LEFT BEHIND:** ${held}` : ''}`);
        continue;
      }
      lines.push(`- \`${stack.stackId}\`${stack.status === 'new' ? ' (new stack)' : ''}: ${counts(stack)}`);
      const shown = stack.resources;
      if (shown.length > 0) {
        lines.push('', '  | change | resource | type | why |', '  |---|---|---|---|');
        for (const r of shown) {
          const change = LOUD[r.kind] ? `**${LOUD[r.kind]}**` : r.kind === 'added' ? 'added' : 'changed';
          lines.push(
            `  | ${change} | \`${r.logicalId}\` | ${r.type}${r.stateful ? ' (stateful)' : ''} | ${cell(r.reasons.join('; '))} |`,
          );
        }
        lines.push('');
      }
      if (stack.assetOnly.length > 0) lines.push(`  - asset hashes only: ${stack.assetOnly.length} resource(s)`);
      if (stack.other.length > 0) lines.push(`  - also changed: ${stack.other.join(', ')}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
