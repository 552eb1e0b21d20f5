import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../shared/template/parse.js';

describe('parseTemplate', () => {
  // Anchors and aliases may follow a JSON-like flow key's `:` with no space: still expanded-counted.
  it.each([
    ['block style', (c: string, prev: string) => `${c}: &${c} [${Array(10).fill(`*${prev}`).join(', ')}]`],
    ['JSON-like flow keys, no spaces', (c: string, prev: string) => `${c}: {"k":&${c} {${Array.from({ length: 10 }, (_, i) => `"${i}":*${prev}`).join(',')}}}`],
  ])('refuses an alias bomb written in %s', (_, level) => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...'bcdefghij'.split('').map((c, i) => level(c, 'abcdefghij'[i]!))].join('\n');
    expect(() => parseTemplate(bomb)).toThrow(/Excessive alias count/);
  });

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
