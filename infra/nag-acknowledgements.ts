import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Every cdk-nag (AwsSolutions) finding the template acknowledges rather than fixes, with the
 * reason, in one place. `test/infra/nag.test.ts` synthesizes with the checks and asserts that
 * nothing else is found and that every reason here is a real sentence.
 */
export const nagAcknowledgements = {
  'AwsSolutions-APIG4':
    'Only the open routes are acknowledged, each on purpose: the hub and API reference pages and their assets and the API description are public, the referral forms and the provider page sign in with an HttpOnly session cookie their functions check, and webhooks carry an HMAC signature the intake verifies; every route that takes a bearer token has the JWT authorizer with its role scope.',
  'AwsSolutions-SQS3':
    'This queue is itself a dead-letter queue: EventBridge rule targets and the Lambda stream source attach it through DeadLetterConfig or OnFailure, not an SQS redrive policy, so cdk-nag cannot see it is one.',
  'AwsSolutions-L1':
    'Node 22 is pinned on purpose, as DESIGN.md records, so that the local runtime, the tests and Lambda run the same major version; the move to Node 24 follows as its own change.',
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
    'The AWS managed AWSLambdaBasicExecutionRole only lets the function create log streams and put log events; the function writes to its own log group with a retention period, and an inline policy naming that log group alone is a later tightening.',
  'AwsSolutions-IAM5[Resource::*]':
    'The DynamoDB stream event source needs dynamodb:ListStreams, which AWS does not scope to a resource; every other stream action of the publish function names the table stream.',
  'AwsSolutions-SMG4':
    "No secret has a rotation Lambda: webhook secrets are rotated by adding a second secret for the organisation and retiring the first, as the README describes; the forms' CSRF key is rotated by putting a new random value, which the forms pick up within five minutes and which only makes forms open at that moment need reloading; and the blind index key of subject access cannot rotate on its own, as every stored index would need recomputing from the sealed names (SECURITY.md).",
} as const;

export type NagFinding = keyof typeof nagAcknowledgements;

/** Acknowledges one finding on a construct and everything under it, with its written reason. */
export function acknowledgeNag(scope: IConstruct, id: NagFinding): void {
  Validations.of(scope).acknowledge({ id, reason: nagAcknowledgements[id] });
}
