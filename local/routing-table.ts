import type { Destination } from '#events/referral-lifecycle.ts';
import type { RouteRuleLike, RuleEventPattern } from '#shared/routing/decide.ts';
import { resourcesOfType, type Template } from './template.ts';

// Read from the template, not from partnerships/: this is what deploys.
const routeMetadataKey = 'reachable:route';

/** A route rule as the synthesized template has it. */
export interface TemplateRoute extends RouteRuleLike {
  logicalId: string;
  eventPattern: RuleEventPattern;
}

/** Every route rule of a template, in template order. */
export function templateRoutes(template: Template): TemplateRoute[] {
  return resourcesOfType(template, 'AWS::Events::Rule').flatMap(([logicalId, resource]) => {
    const route = resource.Metadata?.[routeMetadataKey] as
      { id: string; spoke?: string; destination: Destination } | undefined;
    if (!route) return [];
    return [
      {
        logicalId,
        ...route,
        description: String(resource.Properties?.Description ?? ''),
        eventPattern: resource.Properties?.EventPattern as TemplateRoute['eventPattern'],
      },
    ];
  });
}

/** A destination in a coordinator's words. */
export function destinationLabel(destination: Destination, names: Map<string, string>): string {
  switch (destination.kind) {
    case 'provider':
      return `provider ${names.get(destination.providerId) ?? destination.providerId}`;
    case 'triage':
      return `${names.get(destination.spoke) ?? destination.spoke} triage`;
    case 'escalation':
      return 'escalation (police called now)';
  }
}

// Plain words for the routing attributes patterns use; anything else is shown as its path.
const fieldLabels: Record<string, string> = {
  spoke: 'spoke',
  pathway: 'pathway',
  referrerType: 'referrer type',
  ageYears: 'age in years',
};
// Flags read better as statements: [when true, when false].
const flagStatements: Record<string, [string, string]> = {
  'flags.immediateEscalation': ['a weapon was used or threatened', 'no weapon used or threatened'],
  'flags.eligibleAge': ["age within the pathway's range", "age outside the pathway's range"],
  'flags.aggravatingFactors': ['aggravating factors', 'no aggravating factors'],
  'flags.inStaffedWindow': ['inside a staffed window', 'outside staffed windows'],
};

/**
 * The conditions of a detail pattern in plain words, one per line, e.g.
 * `pathway is admit`, `no weapon used or threatened`, `any of: ...`.
 */
export function describeDetailPattern(pattern: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(pattern).flatMap(([key, value]): string[] => {
    if (key === '$or') {
      const alternatives = (value as Record<string, unknown>[]).map((alternative) =>
        describeDetailPattern(alternative, prefix).join(' and '),
      );
      return [`any of: ${alternatives.join('; or ')}`];
    }
    const path = prefix ? `${prefix}.${key}` : key;
    if (!Array.isArray(value)) return describeDetailPattern(value as Record<string, unknown>, path);
    const statements = flagStatements[path];
    if (statements && value.length === 1 && typeof value[0] === 'boolean') {
      return [value[0] ? statements[0] : statements[1]];
    }
    return [`${fieldLabels[path] ?? path} ${describeValues(value)}`];
  });
}

function describeValues(values: unknown[]): string {
  const plain = values.filter((v) => typeof v !== 'object' || v === null).map(String);
  const operators = values.filter(
    (v): v is Record<string, unknown> => typeof v === 'object' && v !== null,
  );
  const parts = plain.length > 0 ? [`is ${plain.join(' or ')}`] : [];
  for (const operator of operators) {
    const anythingBut = operator['anything-but'];
    if (anythingBut !== undefined) {
      parts.push(`is not ${[anythingBut].flat().map(String).join(', ')}`);
    } else {
      parts.push(`matches ${JSON.stringify(operator)}`);
    }
  }
  return parts.join(' or ');
}
