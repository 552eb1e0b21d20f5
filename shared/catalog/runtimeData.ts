// Lambda runtime lifecycle data: every identifier AWS has published, with its OS and the three
// lifecycle dates (deprecation, block function create, block function update); null where AWS
// lists "Not scheduled" or "N/A". Rebuilt from ../shared/reference/lambda-runtimes.csv, which
// took the AWS developer guide page "Lambda runtimes" (supported table as of 2026-08-22,
// deprecated table as of 2025-05-21 plus later copies), cross-checked with cfn-lint's
// LmbdRuntimeLifecycle.json (2026-06-02) and endoflife.date (2026-08-15).
// Dates move: a policy's `catalogOverrides` changes or adds entries without a release.
export const CATALOG_DATA_AS_OF = '2026-08-22';

export type RuntimeRow = readonly [
  id: string,
  family: string,
  os: string,
  deprecation: string | null,
  blockCreate: string | null,
  blockUpdate: string | null,
];

export const RUNTIME_ROWS: readonly RuntimeRow[] = [
  ['nodejs26.x', 'nodejs', 'Amazon Linux 2023', null, null, null],
  ['nodejs24.x', 'nodejs', 'Amazon Linux 2023', '2028-04-30', '2028-06-01', '2028-07-01'],
  ['nodejs22.x', 'nodejs', 'Amazon Linux 2023', '2027-04-30', '2027-06-01', '2027-07-01'],
  ['python3.15', 'python', 'Amazon Linux 2023', null, null, null],
  ['python3.14', 'python', 'Amazon Linux 2023', '2029-06-30', '2029-07-31', '2029-08-31'],
  ['python3.13', 'python', 'Amazon Linux 2023', '2029-06-30', '2029-07-31', '2029-08-31'],
  ['python3.12', 'python', 'Amazon Linux 2023', '2028-10-31', '2028-11-30', '2029-01-10'],
  ['python3.11', 'python', 'Amazon Linux 2', '2027-06-30', '2027-07-31', '2027-08-31'],
  ['python3.10', 'python', 'Amazon Linux 2', '2026-10-31', '2027-02-01', '2027-03-03'],
  ['java25', 'java', 'Amazon Linux 2023', '2029-06-30', '2029-07-31', '2029-08-31'],
  ['java21', 'java', 'Amazon Linux 2023', '2029-06-30', '2029-07-31', '2029-08-31'],
  ['java17.al2023', 'java', 'Amazon Linux 2023', '2029-06-30', '2029-07-31', '2029-08-31'],
  ['java11.al2023', 'java', 'Amazon Linux 2023', '2029-06-30', '2029-07-31', '2029-08-31'],
  ['java8.al2023', 'java', 'Amazon Linux 2023', '2029-06-30', '2029-07-31', '2029-08-31'],
  ['java17', 'java', 'Amazon Linux 2', '2027-06-30', '2027-07-31', '2027-08-31'],
  ['java11', 'java', 'Amazon Linux 2', '2027-06-30', '2027-07-31', '2027-08-31'],
  ['java8.al2', 'java', 'Amazon Linux 2', '2027-06-30', '2027-07-31', '2027-08-31'],
  ['dotnet10', 'dotnet', 'Amazon Linux 2023', '2028-11-14', '2028-12-14', '2029-01-15'],
  ['dotnet9', 'dotnet', 'Amazon Linux 2023', '2026-11-10', null, null],
  ['dotnet8', 'dotnet', 'Amazon Linux 2023', '2026-11-10', '2027-02-01', '2027-03-03'],
  ['ruby4.0', 'ruby', 'Amazon Linux 2023', '2029-03-31', '2029-04-30', '2029-05-31'],
  ['ruby3.4', 'ruby', 'Amazon Linux 2023', '2028-03-31', '2028-04-30', '2028-05-31'],
  ['ruby3.3', 'ruby', 'Amazon Linux 2023', '2027-03-31', '2027-04-30', '2027-05-31'],
  ['provided.al2023', 'os-only', 'Amazon Linux 2023', '2029-06-30', '2029-07-31', '2029-08-31'],
  ['nodejs18.x', 'nodejs', 'Amazon Linux 2', '2025-09-01', '2027-02-01', '2027-03-03'],
  ['python3.9', 'python', 'Amazon Linux 2', '2025-12-15', '2027-02-01', '2027-03-03'],
  ['nodejs20.x', 'nodejs', 'Amazon Linux 2023', '2026-04-30', '2027-02-01', '2027-03-03'],
  ['ruby3.2', 'ruby', 'Amazon Linux 2', '2026-03-31', '2027-02-01', '2027-03-03'],
  ['provided.al2', 'os-only', 'Amazon Linux 2', '2026-07-31', '2027-02-01', '2027-03-03'],
  ['dotnet6', 'dotnet', 'Amazon Linux 2', '2024-12-20', '2027-02-01', '2027-03-03'],
  ['python3.8', 'python', 'Amazon Linux 2', '2024-10-14', '2027-02-01', '2027-03-03'],
  ['nodejs16.x', 'nodejs', 'Amazon Linux 2', '2024-06-12', '2027-02-01', '2027-03-03'],
  ['dotnet7', 'dotnet', 'Amazon Linux 2', '2024-05-14', null, null],
  ['java8', 'java', 'Amazon Linux', '2024-01-08', '2024-02-08', '2027-03-03'],
  ['go1.x', 'go', 'Amazon Linux', '2024-01-08', '2024-02-08', '2027-03-03'],
  ['provided', 'os-only', 'Amazon Linux', '2024-01-08', '2024-02-08', '2027-03-03'],
  ['ruby2.7', 'ruby', 'Amazon Linux 2', '2023-12-07', '2024-01-09', '2027-03-03'],
  ['nodejs14.x', 'nodejs', 'Amazon Linux 2', '2023-12-04', '2024-01-09', '2027-03-03'],
  ['python3.7', 'python', 'Amazon Linux', '2023-12-04', '2024-01-09', '2027-03-03'],
  ['dotnetcore3.1', 'dotnet', 'Amazon Linux 2', '2023-04-03', '2023-04-03', '2023-05-03'],
  ['nodejs12.x', 'nodejs', 'Amazon Linux 2', '2023-03-31', '2023-03-31', '2023-04-30'],
  ['python3.6', 'python', 'Amazon Linux', '2022-07-18', '2022-07-18', '2022-08-29'],
  ['dotnet5.0', 'dotnet', 'Amazon Linux 2', '2022-05-10', null, null],
  ['dotnetcore2.1', 'dotnet', 'Amazon Linux', '2022-01-05', '2022-01-05', '2022-04-13'],
  ['nodejs10.x', 'nodejs', 'Amazon Linux 2', '2021-07-30', '2021-07-30', '2022-02-14'],
  ['ruby2.5', 'ruby', 'Amazon Linux', '2021-07-30', '2021-07-30', '2022-03-31'],
  ['python2.7', 'python', 'Amazon Linux', '2021-07-15', '2021-07-15', '2022-05-30'],
  ['nodejs8.10', 'nodejs', 'Amazon Linux', '2020-03-06', '2020-02-04', '2020-03-06'],
  ['nodejs4.3', 'nodejs', 'Amazon Linux', '2020-03-05', '2020-02-03', '2020-03-05'],
  ['nodejs4.3-edge', 'nodejs', 'Amazon Linux', '2020-03-05', '2019-03-31', '2019-04-30'],
  ['nodejs6.10', 'nodejs', 'Amazon Linux', '2019-08-12', '2019-07-12', '2019-08-12'],
  ['dotnetcore1.0', 'dotnet', 'Amazon Linux', '2019-06-27', '2019-06-30', '2019-07-30'],
  ['dotnetcore2.0', 'dotnet', 'Amazon Linux', '2019-05-30', '2019-04-30', '2019-05-30'],
  ['nodejs', 'nodejs', 'Amazon Linux', '2016-08-30', '2016-09-30', '2016-10-31'],
];

/**
 * The day each runtime became generally available in Lambda, as AWS states it: the Lambda
 * Developer Guide's "Document history" (lambda-releases), or the Lambda product team's launch
 * notice on AWS's own issue trackers (aws/aws-lambda-base-images, aws/aws-lambda-roadmap), each
 * of which links the AWS What's New post; docs/catalog.md names the source of every day. Where
 * that notice is the only dated AWS text, its day is the latest the runtime can have shipped:
 * RW021 may then fire a day late, never early. AWS's runtimes page gives no release dates, so a
 * refreshed catalog keeps these for the runtimes it knows. A runtime without one (newer than this
 * list, in preview, or whose GA day no AWS text read here states) leaves RW021 silent about it
 * until a policy's catalogOverrides gives it a `released` day.
 */
export const RUNTIME_RELEASES: Readonly<Record<string, string>> = {
  'nodejs16.x': '2022-05-11',
  'nodejs20.x': '2023-11-16',
  'nodejs22.x': '2024-11-22',
  'nodejs24.x': '2025-11-26',
  'python3.9': '2021-08-16',
  'python3.12': '2023-12-14',
  java21: '2023-11-17',
  java25: '2025-11-17',
  dotnet10: '2026-01-09',
  'ruby3.3': '2024-04-04',
  'ruby4.0': '2026-04-30',
};

/**
 * Where AWS names the move off a runtime, that move, before the family rule (the oldest runtime
 * of the same family and at least the same version that stays supported). go1.x has no Go
 * successor: "Building Lambda functions with Go" (Lambda Developer Guide) says functions on the
 * deprecated Go 1.x runtime "must migrate ... to provided.al2023 or provided.al2", with no code
 * change; provided.al2 is itself deprecated, so provided.al2023, the OS-only runtime the same page
 * lists, is the target for go1.x, provided and provided.al2 alike. java8 (Amazon Linux 1) keeps
 * its JDK on java8.al2023, the Java 8 runtime the "Lambda runtimes" page lists on Amazon Linux 2023.
 */
export const RUNTIME_SUCCESSORS: Readonly<Record<string, string>> = {
  'go1.x': 'provided.al2023',
  provided: 'provided.al2023',
  'provided.al2': 'provided.al2023',
  java8: 'java8.al2023',
};
