import { detailTypes, type DetailType } from '#events/catalogue.ts';
import { referralEventDetailSchema } from '#events/referral-lifecycle.ts';
import type { OutgoingEvent } from '../adapters/event-bus.ts';
import { toEventDetail, type Referral } from '../domain/referral.ts';
import { entities } from '../table/layout.ts';

/** A new item in the table, as the stream presents it (already unmarshalled). */
export interface InsertedItem {
  entity?: unknown;
  [attribute: string]: unknown;
}

/**
 * The outbox rule: a new referral item publishes `referral.received`, and `referral.escalated`
 * too when a weapon was used or its use threatened; a new transition item publishes the event
 * recorded with it. Anything else in the table publishes nothing.
 */
export function eventsForInsertedItem(item: InsertedItem): OutgoingEvent[] {
  if (item.entity === entities.referral) {
    // Built field by field from routing attributes, then checked strictly: personal data
    // on the item can never reach the bus.
    const detail = referralEventDetailSchema.parse(toEventDetail(item as unknown as Referral));
    const received = { detailType: detailTypes.referralReceived, detail };
    return detail.flags.immediateEscalation
      ? [received, { detailType: detailTypes.referralEscalated, detail }]
      : [received];
  }
  if (item.entity === entities.transition) {
    const detail = referralEventDetailSchema.parse(item.event);
    // A transition's event is named by its new status, unless it says otherwise (overdue).
    const detailType =
      typeof item.eventType === 'string' ? item.eventType : `referral.${String(item.to)}`;
    return [{ detailType: knownDetailType(detailType), detail }];
  }
  return [];
}

function knownDetailType(detailType: string): DetailType {
  const known = Object.values(detailTypes) as string[];
  if (!known.includes(detailType)) throw new Error(`No lifecycle event "${detailType}"`);
  return detailType as DetailType;
}
