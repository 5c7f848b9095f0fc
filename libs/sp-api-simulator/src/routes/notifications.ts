import { randomUUID } from 'node:crypto';
import { errorBody, invalid, notFound, type Answer } from '../http';
import type { SimDestination, SimSubscription } from '../notifications';
import type { Route, RouteContext } from './route';

/**
 * Notifications API v1 (reference/sp-api/models/notifications.json, FACTS §11): destinations are the
 * application's (grantless), subscriptions the seller's (deleteSubscriptionById and getSubscriptionById
 * grantless). What the simulator delivers and how: notifications.ts.
 *
 * Choices where Amazon's public material is silent: a destination whose ARN is already one answers 409
 * Conflict (the model lists 409 without saying when); a subscription to a destination that does not
 * exist answers 400 InvalidInput; a second subscription to the same type and payload version 409; only
 * SQS destinations (EventBridge needs AWS's partner event bus, which has no local twin) and only the
 * payload versions Amazon documents for the three types delivered.
 */
const PAYLOAD_VERSIONS: Record<string, string> = {
  ORDER_CHANGE: '1.0',
  REPORT_PROCESSING_FINISHED: '2020-09-04',
  FEED_PROCESSING_FINISHED: '2020-09-04',
};

const conflict = (message: string): Answer => [409, errorBody('Conflict', message)];
const renderDestination = (d: SimDestination) => ({
  destinationId: d.destinationId,
  name: d.name,
  resource: { sqs: { arn: d.arn } },
});
const renderSubscription = (s: SimSubscription) => ({
  subscriptionId: s.subscriptionId,
  payloadVersion: s.payloadVersion,
  destinationId: s.destinationId,
  ...(s.processingDirective ? { processingDirective: s.processingDirective } : {}),
});

function getDestinations({ state }: RouteContext): Answer {
  return [200, { payload: state.notifications.destinations.map(renderDestination) }];
}

function createDestination({ state, body }: RouteContext): Answer {
  const spec = body as { name: string; resourceSpecification: { sqs?: { arn: string } } };
  const arn = spec.resourceSpecification.sqs?.arn;
  if (!arn) return invalid('The simulator delivers to SQS destinations only.');
  if (state.notifications.destinations.some((d) => d.arn === arn))
    return conflict(`A destination for ${arn} already exists.`);
  const d = { destinationId: randomUUID(), name: spec.name, arn };
  state.notifications.destinations.push(d);
  return [200, { payload: renderDestination(d) }];
}

function getDestination({ state, params: [id] }: RouteContext): Answer {
  const d = state.notifications.destinations.find((x) => x.destinationId === id);
  return d ? [200, { payload: renderDestination(d) }] : notFound(`Destination ${id} not found.`);
}

function deleteDestination({ state, params: [id] }: RouteContext): Answer {
  const list = state.notifications.destinations;
  const at = list.findIndex((x) => x.destinationId === id);
  if (at < 0) return notFound(`Destination ${id} not found.`);
  list.splice(at, 1);
  return [200, {}];
}

function getSubscription({ state, sellerId, params: [type], query }: RouteContext): Answer {
  const version = query.get('payloadVersion');
  const s = state.notifications.subscriptions.find(
    (x) =>
      x.sellerId === sellerId && x.notificationType === type && (!version || x.payloadVersion === version),
  );
  return s ? [200, { payload: renderSubscription(s) }] : notFound(`No subscription for ${type}.`);
}

function createSubscription({ state, sellerId, params: [type], body }: RouteContext): Answer {
  const spec = body as { payloadVersion: string; destinationId: string; processingDirective?: unknown };
  const version = PAYLOAD_VERSIONS[type];
  if (!version) return invalid(`The simulator does not deliver ${type} notifications.`);
  if (spec.payloadVersion !== version)
    return invalid(`${type} supports payloadVersion ${version}, not ${spec.payloadVersion}.`);
  if (!state.notifications.destinations.some((d) => d.destinationId === spec.destinationId))
    return invalid(`Destination ${spec.destinationId} does not exist.`);
  if (state.notifications.subscription(sellerId, type))
    return conflict(`A subscription to ${type} with payloadVersion ${version} already exists.`);
  const s: SimSubscription = {
    subscriptionId: randomUUID(),
    sellerId,
    notificationType: type,
    payloadVersion: version,
    destinationId: spec.destinationId,
    ...(spec.processingDirective ? { processingDirective: spec.processingDirective } : {}),
  };
  state.notifications.subscriptions.push(s);
  return [200, { payload: renderSubscription(s) }];
}

function subscriptionById(ctx: RouteContext): SimSubscription | undefined {
  const [type, id] = ctx.params;
  return ctx.state.notifications.subscriptions.find(
    (x) => x.subscriptionId === id && x.notificationType === type,
  );
}

function getSubscriptionById(ctx: RouteContext): Answer {
  const s = subscriptionById(ctx);
  return s ? [200, { payload: renderSubscription(s) }] : notFound(`Subscription ${ctx.params[1]} not found.`);
}

function deleteSubscriptionById(ctx: RouteContext): Answer {
  const s = subscriptionById(ctx);
  if (!s) return notFound(`Subscription ${ctx.params[1]} not found.`);
  const list = ctx.state.notifications.subscriptions;
  list.splice(list.indexOf(s), 1);
  return [200, {}];
}

const model = 'notifications';
export const notificationsRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/notifications\/v1\/destinations$/,
    model,
    operation: 'getDestinations',
    grantless: true,
    run: getDestinations,
  },
  {
    method: 'POST',
    path: /^\/notifications\/v1\/destinations$/,
    model,
    operation: 'createDestination',
    grantless: true,
    run: createDestination,
  },
  {
    method: 'GET',
    path: /^\/notifications\/v1\/destinations\/([^/]+)$/,
    model,
    operation: 'getDestination',
    grantless: true,
    run: getDestination,
  },
  {
    method: 'DELETE',
    path: /^\/notifications\/v1\/destinations\/([^/]+)$/,
    model,
    operation: 'deleteDestination',
    grantless: true,
    run: deleteDestination,
  },
  {
    method: 'GET',
    path: /^\/notifications\/v1\/subscriptions\/([^/]+)$/,
    model,
    operation: 'getSubscription',
    run: getSubscription,
  },
  {
    method: 'POST',
    path: /^\/notifications\/v1\/subscriptions\/([^/]+)$/,
    model,
    operation: 'createSubscription',
    run: createSubscription,
  },
  {
    method: 'GET',
    path: /^\/notifications\/v1\/subscriptions\/([^/]+)\/([^/]+)$/,
    model,
    operation: 'getSubscriptionById',
    grantless: true,
    run: getSubscriptionById,
  },
  {
    method: 'DELETE',
    path: /^\/notifications\/v1\/subscriptions\/([^/]+)\/([^/]+)$/,
    model,
    operation: 'deleteSubscriptionById',
    grantless: true,
    run: deleteSubscriptionById,
  },
];
