import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { csrfKeyFromEnv } from '#shared/adapters/forms-csrf-key.ts';
import { providerWorkFromEnv } from '#shared/adapters/provider-work-from-env.ts';
import { now } from '#shared/clock.ts';
import { authenticatorFromEnv } from '#shared/http/auth.ts';
import { logger } from '#shared/observability.ts';
import {
  listProviderReferrals,
  pullNextReferral,
  readProviderReferral,
  runProviderCommand,
} from '#shared/services/provider-work.ts';
import { PageKit, type PageResult } from '#web/kit/page-kit.ts';
import { providerPage } from '#web/provider/page.ts';

// The same store, queues, lease and read audit as the provider API: the page shows the provider
// the personal data (opened here) and may seal a decline's details.
const { partnership, workFor } = providerWorkFromEnv();
const providers = new Map(partnership.providers.map((provider) => [provider.id, provider]));

const kit = new PageKit({
  service: { name: 'Provider work queue', href: '/provider' },
  page: 'provider',
  cookie: { name: 'reachable_provider_session', path: '/provider' },
  authenticator: authenticatorFromEnv(),
  // Only a token of one of the partnership's providers signs in; it names the provider.
  accept: (principal) =>
    principal.kind === 'provider' && providers.has(principal.providerId)
      ? { providerId: principal.providerId, subject: principal.subject }
      : undefined,
  csrfKey: csrfKeyFromEnv(),
  signedInAs: ({ providerId }) => providers.get(providerId)?.name ?? providerId,
  signOutAction: '/provider/sign-out',
});

const respond = providerPage({
  kit,
  partnership,
  workFor,
  services: { listProviderReferrals, pullNextReferral, readProviderReferral, runProviderCommand },
  now,
  log: logger,
});

/** The provider page: `/provider` and everything under it, server-rendered (web/provider/). */
export const handler = async (event: APIGatewayProxyEventV2): Promise<PageResult> => {
  try {
    return await respond(event);
  } catch (error) {
    // Ids only: never the event or the answers.
    logger.error('Provider page request failed', { routeKey: event.routeKey, error });
    return kit.message(500, {
      title: 'Sorry, there is a problem with the service',
      message: 'Nothing was changed. Try again later.',
    });
  }
};
