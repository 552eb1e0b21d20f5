import { GetRuntimeManagementConfigCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { withModes } from '../../cli/report.js';
import { facts } from '../helpers/fixtures.js';

// The report's update-mode reads on their error paths (moto answers neither call): a function
// deleted since the listing, and a caller without lambda:GetRuntimeManagementConfig.

const A = 'arn:aws:lambda:eu-west-1::runtime:aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111';
const apiError = (name: string, status: number): Error => Object.assign(new Error(`${name} happened`), { name, $fault: 'client', $metadata: { httpStatusCode: status } });
const { updateMode: _, ...unread } = facts();
const fleet = ['a', 'b', 'c', 'd'].map((name) => ({ ...unread, name }));

describe('report: reading update modes', () => {
  it('adds each mode and pinned version, and keeps a function deleted since the listing with its mode unknown', async () => {
    const lambda = new LambdaClient({ region: 'eu-west-1' });
    const mock = mockClient(lambda);
    mock.on(GetRuntimeManagementConfigCommand).resolves({ UpdateRuntimeOn: 'Auto' });
    mock.on(GetRuntimeManagementConfigCommand, { FunctionName: 'b' }).resolves({ UpdateRuntimeOn: 'Manual', RuntimeVersionArn: A });
    mock.on(GetRuntimeManagementConfigCommand, { FunctionName: 'c' }).rejects(apiError('ResourceNotFoundException', 404));
    const progress: string[] = [];
    const out = await withModes(() => lambda, [...fleet, { ...unread, name: 'image', packageType: 'Image' }], (m) => progress.push(m));
    expect(out.facts.map((f) => [f.name, f.updateMode, f.runtimeVersionArn])).toEqual([
      ['a', 'Auto', undefined],
      ['b', 'Manual', A],
      ['c', undefined, undefined],
      ['d', 'Auto', undefined],
      ['image', undefined, undefined],
    ]);
    expect(out.unread).toEqual([]);
    // No call for a container image: it has no runtime to manage.
    expect(mock.commandCalls(GetRuntimeManagementConfigCommand).map((c) => c.args[0].input.FunctionName)).toEqual(['a', 'b', 'c', 'd']);
    expect(progress).toEqual([]);
  });

  it('says once when the caller may not read modes, stops calling, and reports the rest', async () => {
    const lambda = new LambdaClient({ region: 'eu-west-1' });
    const mock = mockClient(lambda);
    mock.on(GetRuntimeManagementConfigCommand).rejects(apiError('AccessDeniedException', 403));
    const progress: string[] = [];
    const many = Array.from({ length: 20 }, (_, i) => ({ ...unread, name: `f${i}` }));
    const out = await withModes(() => lambda, many, (m) => progress.push(m));
    expect(out.facts).toEqual(many);
    expect(out.unread).toEqual(['eu-west-1']);
    expect(progress).toEqual(['eu-west-1: update modes not read, pins known from the rollback tag only: GetRuntimeManagementConfig refused (AccessDeniedException: AccessDeniedException happened): grant lambda:GetRuntimeManagementConfig, or give --no-pins']);
    // At most the calls already under way when the first refusal came back (4 at a time).
    expect(mock.commandCalls(GetRuntimeManagementConfigCommand).length).toBeLessThanOrEqual(4);
  });

  it('fails on any other error: a report must not hide a throttled or broken read as "no pin"', async () => {
    const lambda = new LambdaClient({ region: 'eu-west-1' });
    mockClient(lambda).on(GetRuntimeManagementConfigCommand).rejects(apiError('ServiceException', 500));
    await expect(withModes(() => lambda, fleet, () => undefined)).rejects.toThrow('ServiceException happened');
  });
});
