import { z } from 'zod';
import {
  detailTypeList,
  detailTypes,
  statusDetailTypes,
  type DetailType,
} from '#events/catalogue.ts';
import type { ReferralEventDetail } from '#events/referral-lifecycle.ts';
import { referralEventDetailFor } from '#events/referral-events.ts';
import { referralStatuses } from '#events/vocabulary.ts';
import type { OutgoingEvent } from '../adapters/event-bus.ts';
import { toEventDetail, type Referral } from '../domain/referral.ts';
import { asReceived } from '../routing/decide.ts';
import { entities } from '../table/layout.ts';

/** A new item in the table, as the stream presents it (already unmarshalled). */
export interface InsertedItem {
  entity?: unknown;
  [attribute: string]: unknown;
}

/**
 * The outbox rule: a new referral item, stored already routed, publishes `referral.received`
 * and `referral.routed` together (then `referral.escalated` when a weapon was used or its use
 * threatened); a new transition item publishes the event recorded with it. Anything else in the
 * table publishes nothing.
 */
export function eventsForInsertedItem(item: InsertedItem): OutgoingEvent[] {
  if (item.entity === entities.referral) {
    // Built field by field from routing attributes, then checked strictly: personal data
    // on the item can never reach the bus.
    const referral = item as unknown as Referral;
    const received = toEventDetail(asReceived(referral));
    const events: { detailType: DetailType; detail: ReferralEventDetail }[] = [
      { detailType: detailTypes.referralReceived, detail: received },
    ];
    // A referral stored before routing moved to intake has its routing recorded by a transition.
    if (referral.routing) {
      events.push({ detailType: detailTypes.referralRouted, detail: toEventDetail(referral) });
    }
    if (received.flags.immediateEscalation) {
      events.push({ detailType: detailTypes.referralEscalated, detail: received });
    }
    return events.map(({ detailType, detail }) => ({
      detailType,
      detail: referralEventDetailFor(detailType, detail),
    }));
  }
  if (item.entity === entities.transition) {
    const transition = transitionItem.parse(item);
    // A transition's event is its new status's, unless it says otherwise (overdue).
    const detailType = transition.eventType ?? statusDetailTypes[transition.to];
    return [{ detailType, detail: referralEventDetailFor(detailType, transition.event) }];
  }
  return [];
}

/** What the outbox reads of a transition item; its event is checked by its detail-type's schema. */
const transitionItem = z.object({
  to: z.enum(referralStatuses),
  eventType: z.enum(detailTypeList).optional(),
  event: z.unknown(),
});
