import { SIM_LWA_CLIENT, SIM_SELLERS, SpApiSimulator } from '@connector/sp-api-simulator';
import { SpApiRequestError } from '../../errors';
import { SpApiFactory } from '../../sp-api.factory';
import type { NotificationsApi } from '../notifications.api';

const ARN = 'arn:aws:sqs:us-east-1:000000000000:sp-api-notifications';

/**
 * The Notifications client against the simulator: grantless destinations, the seller's subscriptions,
 * and the idempotent set-up amazon-ingest runs at every connection start. No queue is involved: the
 * simulator records what it would deliver.
 */
describe('Notifications API client against the simulator', () => {
  let sim: SpApiSimulator;
  const seller = SIM_SELLERS[0];
  const creds = {
    amazon: {
      lwaClientId: SIM_LWA_CLIENT.clientId,
      lwaClientSecret: SIM_LWA_CLIENT.clientSecret,
      refreshToken: seller.refreshToken,
    },
  };
  let api: NotificationsApi;
  let factory: SpApiFactory;

  beforeEach(async () => {
    sim = new SpApiSimulator({ speedFactor: 1000, days: 1, ordersPerDay: 1 });
    await sim.start();
    factory = new SpApiFactory({
      endpoint: sim.url,
      lwaTokenUrl: `${sim.url}/auth/o2/token`,
      maxAttempts: 3,
      backoffBaseMs: 1,
      backoffMaxMs: 5,
    });
    api = factory.notificationsFor({ id: 'c1', sellerId: seller.sellerId, region: 'na' }, creds);
  });
  afterEach(() => sim.close());

  it('when the destination is ensured twice, then one destination exists for the ARN, made with a grantless token', async () => {
    const first = await api.ensureDestination('connector', ARN);
    const second = await api.ensureDestination('connector', ARN);
    expect(second.destinationId).toBe(first.destinationId);
    expect(sim.notifications.destinations).toEqual([
      { destinationId: first.destinationId, name: 'connector', arn: ARN },
    ]);
    expect(sim.stats.calls.createDestination).toBe(1);
  });

  it('when a seller token calls a grantless operation, then the simulator refuses it with 403 Unauthorized', async () => {
    const sellerClient = factory.forConnection(
      { id: 'c1', sellerId: seller.sellerId, region: 'na' },
      creds,
    ).client;
    const err = await sellerClient
      .call('getDestinations', 'GET', '/notifications/v1/destinations')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpApiRequestError);
    expect((err as SpApiRequestError).context).toMatchObject({
      status: 403,
      errors: [{ code: 'Unauthorized' }],
    });
  });

  it('when a subscription is ensured, then it is created, then kept, and replaced when it points at another destination', async () => {
    const d = await api.ensureDestination('connector', ARN);
    const created = await api.ensureSubscription('ORDER_CHANGE', d.destinationId);
    expect(created.action).toBe('created');
    expect(created.subscription).toMatchObject({ payloadVersion: '1.0', destinationId: d.destinationId });
    expect((await api.ensureSubscription('ORDER_CHANGE', d.destinationId)).action).toBe('kept');

    const other = await api.ensureDestination('other', `${ARN}-2`);
    const replaced = await api.ensureSubscription('ORDER_CHANGE', other.destinationId);
    expect(replaced.action).toBe('replaced');
    expect(sim.notifications.subscriptions).toEqual([
      expect.objectContaining({
        sellerId: seller.sellerId,
        notificationType: 'ORDER_CHANGE',
        destinationId: other.destinationId,
      }),
    ]);
  });

  it('when there is no subscription, then getSubscription answers null (Amazon: 404)', async () => {
    await expect(api.getSubscription('REPORT_PROCESSING_FINISHED', '2020-09-04')).resolves.toBeNull();
  });

  it('when a subscription names a destination that does not exist, then the request is refused', async () => {
    const err = await api
      .createSubscription('ORDER_CHANGE', { payloadVersion: '1.0', destinationId: 'nope' })
      .catch((e: unknown) => e);
    expect((err as SpApiRequestError).context).toMatchObject({
      status: 400,
      errors: [{ code: 'InvalidInput' }],
    });
  });

  it('when the ARN is not an SQS ARN, then the model check refuses createDestination', async () => {
    const err = await api.createDestination('bad', 'arn:aws:s3:::bucket').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpApiRequestError);
    expect((err as SpApiRequestError).context.status).toBe(400);
  });
});
