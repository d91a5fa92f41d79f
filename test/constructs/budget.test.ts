import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Budget } from '../../lib/constructs/budget';

function budgetStack(topicOf: (stack: Stack) => sns.ITopic, extra: Partial<{ tag: boolean }> = {}): Stack {
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  new Budget(stack, 'Budget', {
    monthlyLimitUsd: 100,
    topic: topicOf(stack),
    budgetName: 'berth-dev',
    costAllocationTag: extra.tag ? { key: 'berth:environment', value: 'dev' } : undefined,
  });
  return stack;
}

const encryptedTopic = (stack: Stack) =>
  new sns.Topic(stack, 'Alerts', { masterKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });

describe('Budget', () => {
  const template = Template.fromStack(budgetStack(encryptedTopic));

  test('creates a monthly cost budget of the configured amount in USD', () => {
    template.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: {
        BudgetName: 'berth-dev',
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: 100, Unit: 'USD' },
        CostFilters: Match.absent(),
      },
    });
  });

  test('alerts the topic at 80 % of actual and 100 % of forecast spend', () => {
    const subscribers = [{ SubscriptionType: 'SNS', Address: { Ref: Match.stringLikeRegexp('^Alerts') } }];
    template.hasResourceProperties('AWS::Budgets::Budget', {
      NotificationsWithSubscribers: [
        {
          Notification: {
            NotificationType: 'ACTUAL',
            ComparisonOperator: 'GREATER_THAN',
            Threshold: 80,
            ThresholdType: 'PERCENTAGE',
          },
          Subscribers: subscribers,
        },
        {
          Notification: {
            NotificationType: 'FORECASTED',
            ComparisonOperator: 'GREATER_THAN',
            Threshold: 100,
            ThresholdType: 'PERCENTAGE',
          },
          Subscribers: subscribers,
        },
      ],
    });
  });

  test('lets budgets.amazonaws.com of this account publish to the topic', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowBudgetsPublish',
            Effect: 'Allow',
            Principal: { Service: 'budgets.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111111111111' },
              ArnLike: {
                'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':budgets::111111111111:*']] },
              },
            },
          }),
        ]),
      },
    });
  });

  test("lets budgets.amazonaws.com use the topic's KMS key", () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowBudgetsUseForSns',
            Principal: { Service: 'budgets.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
          }),
        ]),
      },
    });
  });

  test('filters by a cost allocation tag when one is given', () => {
    Template.fromStack(budgetStack(encryptedTopic, { tag: true })).hasResourceProperties('AWS::Budgets::Budget', {
      Budget: { CostFilters: { TagKeyValue: ['user:berth:environment$dev'] } },
    });
  });

  test('warns at synth when the topic is imported and its policy cannot be changed', () => {
    const stack = budgetStack((s) =>
      sns.Topic.fromTopicArn(s, 'Imported', 'arn:aws:sns:eu-west-1:111111111111:alerts'),
    );
    Annotations.fromStack(stack).hasWarning(
      '/Test/Budget',
      Match.stringLikeRegexp('allow budgets.amazonaws.com sns:Publish'),
    );
  });
});
