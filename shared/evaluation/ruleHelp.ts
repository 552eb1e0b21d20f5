// Each rule's help, for SARIF (code scanning shows it beside a finding) and the docs: the text of
// docs/rules.md, whose sections a test holds to these. security-severity is GitHub's ranking
// (GitHub Docs, "SARIF support for code scanning": over 9.0 critical, 7.0-8.9 high, 4.0-6.9
// medium, 0.1-3.9 low), for the findings that are security findings.

export interface RuleHelp {
  readonly description: string;
  readonly fix: string;
  readonly securitySeverity?: string;
}

export const RULE_HELP: Readonly<Record<string, RuleHelp>> = {
  RW000: {
    description: 'A function with `PackageType: Image` carries its runtime inside the image, out of reach of the runtime policy: it is `NOT_APPLICABLE`, and nothing else is judged.',
    fix: 'Nothing to fix here.',
  },
  RW001: {
    description: 'The runtime is not in the runtime catalog, so its lifecycle is unknown: the policy fails closed. Also a Zip-packaged function with no `Runtime`.',
    fix: 'Set a supported runtime. If AWS has published a runtime newer than the catalog, refresh the catalog (`runtime-warden catalog refresh`, catalog) or add it under the policy\'s `catalogOverrides`. Tag waivers never cover this rule.',
    securitySeverity: '8.0',
  },
  RW002: {
    description: 'The runtime is on the policy\'s `deniedRuntimes`.',
    fix: 'Upgrade to the recommended target the message names (`Upgrade to nodejs22.x.`); where no approved, supported runtime of the same family exists, the message says to move to another runtime family. Tag waivers never cover this rule.',
    securitySeverity: '7.5',
  },
  RW003: {
    description: 'The policy lists `approvedRuntimes` and this runtime is not on it (nor denied: that is RW002).',
    fix: 'Upgrade to the recommended target the message names, or have the policy\'s owner add the runtime to `approvedRuntimes`.',
    securitySeverity: '5.0',
  },
  RW004: {
    description: 'AWS has deprecated the runtime: it gets no more security patches. The message gives the deprecation date and the block dates still ahead (`AWS blocks creates from 2027-03-03 (100 days left)`). A runtime on the approved list is still an error once AWS deprecates it.',
    fix: 'Upgrade to the recommended target the message names. To tolerate it for a while, a waiver downgrades it to a warning until its expiry.',
    securitySeverity: '7.0',
  },
  RW005: {
    description: 'The runtime is deprecated and AWS no longer lets anyone create a function on it.',
    fix: 'Upgrade to the recommended target the message names. Tag waivers never cover this rule.',
    securitySeverity: '8.5',
  },
  RW006: {
    description: 'The runtime is deprecated and AWS no longer lets anyone update a function on it: the function can no longer be changed in place.',
    fix: 'Upgrade to the recommended target the message names. Tag waivers never cover this rule.',
    securitySeverity: '9.0',
  },
  RW007: {
    description: 'The runtime is still active, but its deprecation date is inside the function\'s window: the larger of its tier\'s `upgradeLeadDays` and the policy\'s `warnBeforeDeprecationDays` (policy). From the deprecation date on, it is RW004.',
    fix: 'Upgrade to the recommended target the message names before the date.',
    securitySeverity: '4.0',
  },
  RW008: {
    description: 'The function\'s runtime update mode (`RuntimeManagementConfig.UpdateRuntimeOn`; in a template, none means `Auto`) is not one of its tier\'s `allowedUpdateModes`.',
    fix: 'Set `UpdateRuntimeOn` to the tier\'s `preferredUpdateMode`, which the message names. In AWS the switch-mode remediation makes that change.',
    securitySeverity: '5.0',
  },
  RW009: {
    description: '`UpdateRuntimeOn` is `Manual` but no `RuntimeVersionArn` is set.',
    fix: 'Pin a runtime version ARN, or switch back to `Auto`.',
    securitySeverity: '6.0',
  },
  RW010: {
    description: 'The function has been pinned to a runtime version (`Manual`) for longer than the policy\'s `manualPinMaxAgeDays`: a pin is a temporary rollback and misses security patches. Judged only where the last deploy time is known (Config and the Lambda API, not templates or hook events), or where rollback tagged the pin (`runtime-warden:rollback`): the older of the tag\'s instant and the last deploy counts, so the tag can only make the rule stricter.',
    fix: 'Switch to `Auto`, or to the tier\'s preferred mode where the tier does not allow `Auto`, as the message says; where that is already the mode, pin a current runtime version. The switch-mode remediation makes the switch.',
    securitySeverity: '6.5',
  },
  RW011: {
    description: '`UpdateRuntimeOn` is `FunctionUpdate` and the function was last deployed longer ago than its tier\'s `redeployWithinDays`, so it misses runtime patches. Judged only where the last deploy time is known.',
    fix: 'Switch to `Auto`, or to the tier\'s preferred mode where the tier does not allow `Auto`, as the message says; where that is already the mode, redeploy it. The switch-mode remediation makes the switch.',
    securitySeverity: '4.0',
  },
  RW012: {
    description: 'The tier tag (`tiers.tagKey`, default `runtime-warden:tier`) names no tier of the policy; the function is judged as the default tier. Tier tags are matched case-insensitively.',
    fix: 'Set the tag to one of the tiers the message lists.',
    securitySeverity: '3.0',
  },
  RW013: {
    description: 'A policy or tag waiver covers errors of this function; the message names the waiver, its expiry, the days left, the rules it downgrades and its reason.',
    fix: 'The downgraded findings still stand: fix them before the waiver expires, or renew the waiver.',
    securitySeverity: '2.0',
  },
  RW014: {
    description: 'A waiver names this function but expired; said only where it would have covered an error, which is an error again.',
    fix: 'Fix the findings it covered, or renew the waiver.',
    securitySeverity: '4.0',
  },
  RW015: {
    description: 'The waiver tag (`waiverTag.key`, default `runtime-warden:waiver`) is not `YYYY-MM-DD reason` with a real date, or expires more than `waiverTag.maxDays` ahead: no waiver applies.',
    fix: 'Write the tag as `YYYY-MM-DD reason` within `waiverTag.maxDays`, or ask for a policy waiver instead.',
    securitySeverity: '4.0',
  },
  RW016: {
    description: 'A property the policy reads is an expression the template does not decide (`!ImportValue`, `!GetAtt`, pseudo parameters, a parameter without `Default`), or the properties take more than 256 combinations together. The message names the expression and the checks it leaves to deploy time; every other check still runs (scan). The hooks and the Config rule judge the resolved values when the function is deployed.',
    fix: 'Nothing is required. To have `scan` judge it, give the parameter a `Default` (and `AllowedValues`) or use a literal.',
    securitySeverity: '2.0',
  },
  RW017: {
    description: 'A function\'s properties cannot be read as Lambda would take them (e.g. a non-string `Runtime`).',
    fix: 'Correct the property the message names.',
    securitySeverity: '5.0',
  },
  RW018: {
    description: 'A layer the function uses declares compatible runtimes (`CompatibleRuntimes`) without the function\'s runtime, or without the runtime it must move to (the recommended target, where its runtime is denied, not approved, deprecated or inside the tier\'s window), or declares architectures without the function\'s. Judged only where the layer versions were read (the layer inventory, or LayerVersion resources of the same template); a layer declaring nothing is RW022, never this.',
    fix: 'Publish a version of the layer compatible with the runtime the message names ("publish a version of shared-utils compatible with python3.13 first"), point the function at it, then move the runtime.',
    securitySeverity: '3.0',
  },
  RW019: {
    description: 'A layer version (an `AWS::Lambda::LayerVersion` or `AWS::Serverless::LayerVersion`, or an inventoried layer) whose `CompatibleRuntimes` are all deprecated: no function that follows the policy can use it. A layer declaring nothing, or a runtime the catalog does not know, is not judged.',
    fix: 'Publish a version of the layer for the runtimes the message names, then move the functions that use it.',
    securitySeverity: '3.0',
  },
  RW020: {
    description: 'The function\'s tier sets `deployment` rules (policy: `requireTrafficShifting`, `requireAlarms`, `requirePublishedVersions`) and the function does not deploy that way. Judged only where the source shows how the function deploys (a SAM template\'s `AutoPublishAlias` and `DeploymentPreference`); off unless the tier sets them.',
    fix: 'Add what the message names: `AutoPublishAlias`, a `DeploymentPreference` with a Canary or Linear `Type`, its `Alarms`, or a published version per deploy.',
    securitySeverity: '2.0',
  },
  RW021: {
    description: 'A newer runtime of the same family (higher version, active, allowed by the policy) has been available for longer than the tier\'s `adoptNewRuntimeWithinDays`; the release date is the catalog\'s (catalog). Off unless the tier sets the field; silent for runtimes without a release date, and for a runtime that is no longer active (RW004 and later say more).',
    fix: 'Move to the runtime the message names, or raise the tier\'s `adoptNewRuntimeWithinDays`.',
    securitySeverity: '1.0',
  },
  RW022: {
    description: 'A layer the function uses declares no compatible runtimes, so whether it works on a runtime is unknown. Said once per function, naming every such layer; never an error.',
    fix: 'Test the function with the layer on the new runtime before moving; the layer\'s owner can declare `CompatibleRuntimes` when publishing its next version.',
  },
};

/** Where a rule's page is: the section of docs/rules.md named by its id. */
export const ruleHelpUri = (id: string): string => `https://github.com/runtime-warden/runtime-warden/blob/main/docs/rules.md#${id.toLowerCase()}`;
