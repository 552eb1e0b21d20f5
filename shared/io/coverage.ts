import { paginateDescribeAggregateComplianceByConfigRules, type ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { FunctionFacts } from '../facts/functionFacts.js';

// Where functions run that no runtime-warden rule judges: regions outside the StackSet's
// TargetRegions, the management account, accounts outside the target OUs. Neither a hook nor a
// Config rule reaches them, so nothing there is ever NON_COMPLIANT: the report says where they are.

/**
 * CloudFormation names a rule it creates `<stack>-<logical id>-<suffix>` when the template gives
 * no ConfigRuleName, as ours does not (CloudFormation User Guide, "Name type"): the logical id
 * is in every runtime-warden rule's name, whatever the stack or StackSet instance is called.
 */
export const RULE_NAME_MARK = 'RuntimeComplianceRule';

/** `account/region` of every place an aggregator sees a runtime-warden rule. */
export async function ruleLocations(config: Pick<ConfigServiceClient, 'send'>, aggregatorName: string, mark = RULE_NAME_MARK): Promise<Set<string>> {
  const out = new Set<string>();
  // DescribeAggregateComplianceByConfigRules: every rule of every source account and region, up
  // to 1,000 a page (Config API Reference; GroupByAPILimit 0-1000).
  const pages = paginateDescribeAggregateComplianceByConfigRules({ client: config as ConfigServiceClient, pageSize: 1000 }, { ConfigurationAggregatorName: aggregatorName });
  for await (const page of pages) {
    for (const r of page.AggregateComplianceByConfigRules ?? []) {
      if (r.ConfigRuleName?.includes(mark) && r.AccountId && r.AwsRegion) out.add(`${r.AccountId}/${r.AwsRegion}`);
    }
  }
  return out;
}

export interface CoverageGap {
  readonly accountId: string;
  readonly region: string;
  /** Functions there that no runtime-warden rule evaluates. */
  readonly functions: number;
}

/** Accounts and regions holding functions but no runtime-warden rule, most functions first. Pure. */
export function coverageGaps(functions: readonly Pick<FunctionFacts, 'accountId' | 'region'>[], covered: ReadonlySet<string>): CoverageGap[] {
  const counts = new Map<string, number>();
  for (const f of functions) {
    if (!f.accountId || !f.region) continue;
    const key = `${f.accountId}/${f.region}`;
    if (!covered.has(key)) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .map(([key, n]) => {
      const [accountId, region] = key.split('/') as [string, string];
      return { accountId, region, functions: n };
    })
    .sort((a, b) => b.functions - a.functions || (a.accountId + a.region < b.accountId + b.region ? -1 : 1));
}
