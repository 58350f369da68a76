import type { Destination } from '#events/referral-lifecycle.ts';
import { matchesPattern } from '#shared/routing/pattern.ts';
import { resourcesOfType, type Template } from './template.ts';

// Read from the template, not from events/routing: this is what deploys.
const routeMetadataKey = 'reachable:route';

/** A route rule as the synthesized template has it. */
export interface TemplateRoute {
  logicalId: string;
  id: string;
  /** Undefined for partnership-wide routes (escalation). */
  spoke?: string;
  destination: Destination;
  description: string;
  /** The rule's whole event pattern: source, detail-type and detail. */
  eventPattern: { source?: unknown; 'detail-type'?: unknown; detail?: Record<string, unknown> };
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

/** An EventBridge envelope around a detail, as the bus delivers it to rules. */
export function envelope(source: string, detailType: string, detail: object): object {
  return {
    version: '0',
    id: '00000000-0000-4000-8000-000000000000',
    'detail-type': detailType,
    source,
    account: '000000000000',
    time: '2026-01-01T00:00:00Z',
    region: 'eu-west-2',
    resources: [],
    detail,
  };
}

/** The routes whose rule matches an event, by the same engine the local bus runs. */
export function routesMatching(routes: readonly TemplateRoute[], event: object): TemplateRoute[] {
  return routes.filter((route) => matchesPattern(route.eventPattern, event));
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
