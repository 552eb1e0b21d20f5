import { ConfigServiceClient, DescribeAggregateComplianceByConfigRulesCommand } from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { coverageGaps, ruleLocations } from '../../shared/io/coverage.js';
import { modelErrors } from '../helpers/awsModels.js';

// moto has no aggregated compliance (DescribeAggregateComplianceByConfigRules): the client is
// mocked, and the request it sends is checked against botocore's model.
const config = new ConfigServiceClient({ region: 'eu-west-1' });
const mock = mockClient(config);

describe('coverage: where functions run that no runtime-warden rule judges', () => {
  it('finds every account and region holding a runtime-warden rule, over every page', async () => {
    mock.reset();
    mock
      .on(DescribeAggregateComplianceByConfigRulesCommand)
      .resolvesOnce({
        AggregateComplianceByConfigRules: [
          { ConfigRuleName: 'StackSet-runtime-warden-0f3a-RuntimeComplianceRule-1A2B', AccountId: '111111111111', AwsRegion: 'eu-west-1' },
          { ConfigRuleName: 'some-other-rule', AccountId: '222222222222', AwsRegion: 'eu-west-1' },
        ],
        NextToken: 'next',
      })
      .resolvesOnce({ AggregateComplianceByConfigRules: [{ ConfigRuleName: 'runtime-warden-RuntimeComplianceRule-9Z', AccountId: '111111111111', AwsRegion: 'us-east-1' }] });
    expect([...(await ruleLocations(config, 'org'))].sort()).toEqual(['111111111111/eu-west-1', '111111111111/us-east-1']);
    const calls = mock.commandCalls(DescribeAggregateComplianceByConfigRulesCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(modelErrors(calls.map((params, i) => ({ id: `call ${i}`, api: 'config.DescribeAggregateComplianceByConfigRules', params })))).toEqual([]);
    expect(calls.every((c) => c.Limit === 1000)).toBe(true);
  });

  it('names the accounts and regions with functions and no rule, most functions first', () => {
    const fn = (accountId: string, region: string) => ({ accountId, region });
    const fleet = [
      fn('111111111111', 'eu-west-1'),
      fn('111111111111', 'ap-south-1'),
      fn('333333333333', 'eu-west-1'),
      fn('333333333333', 'eu-west-1'),
      { accountId: undefined, region: undefined },
    ];
    expect(coverageGaps(fleet, new Set(['111111111111/eu-west-1']))).toEqual([
      { accountId: '333333333333', region: 'eu-west-1', functions: 2 },
      { accountId: '111111111111', region: 'ap-south-1', functions: 1 },
    ]);
    expect(coverageGaps(fleet, new Set(['111111111111/eu-west-1', '111111111111/ap-south-1', '333333333333/eu-west-1']))).toEqual([]);
  });
});
