import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../shared/template/parse.js';

describe('parseTemplate', () => {
  it('turns short-form intrinsics into the long form', () => {
    const doc = parseTemplate(
      [
        'A: !Ref Runtime',
        'B: !GetAtt Fn.Arn',
        'C: !Sub "arn:${AWS::Partition}:x"',
        'D: !If [IsProd, nodejs22.x, !Ref AWS::NoValue]',
        'E: !FindInMap [Runtimes, !Ref Env, Node]',
        'F: !Equals [!Ref Env, prod]',
        'G: !GetAtt [Fn, Arn]',
      ].join('\n'),
    );
    expect(doc).toEqual({
      A: { Ref: 'Runtime' },
      B: { 'Fn::GetAtt': ['Fn', 'Arn'] },
      C: { 'Fn::Sub': 'arn:${AWS::Partition}:x' },
      D: { 'Fn::If': ['IsProd', 'nodejs22.x', { Ref: 'AWS::NoValue' }] },
      E: { 'Fn::FindInMap': ['Runtimes', { Ref: 'Env' }, 'Node'] },
      F: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
      G: { 'Fn::GetAtt': ['Fn', 'Arn'] },
    });
  });

  it('reads JSON templates', () => {
    expect(parseTemplate('{"Resources": {"F": {"Type": "AWS::Lambda::Function"}}}')).toEqual({ Resources: { F: { Type: 'AWS::Lambda::Function' } } });
  });
});
