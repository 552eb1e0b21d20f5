import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../shared/template/parse.js';
import { ROOT } from '../helpers/fixtures.js';
import { runCommand } from '../helpers/runCommand.js';

// The sample templates `make run` and the README point users at are templates a user could
// deploy: cfn-lint (which applies the SAM transform first) finds no error in any of them. Their
// warnings stay: the samples use deprecated runtimes on purpose.

/** Every file under examples/ that is a CloudFormation or SAM template (a YAML or JSON document with Resources). */
function exampleTemplates(): string[] {
  const dir = join(ROOT, 'examples');
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ya?ml|json|template)$/.test(f))
    .map((f) => join(dir, f))
    .filter((path) => {
      const doc = parseTemplate(readFileSync(path, 'utf8')) as { Resources?: unknown } | null;
      return typeof doc?.Resources === 'object' && doc.Resources !== null;
    })
    .map((path) => relative(ROOT, path))
    .sort();
}

interface Match {
  readonly Filename: string;
  readonly Level: string;
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location: { readonly Start: { readonly LineNumber: number } };
}

describe('examples/', () => {
  it('holds templates cfn-lint finds no error in', async () => {
    const templates = exampleTemplates();
    expect(templates).toEqual(expect.arrayContaining(['examples/templates/orders-service.yaml', 'examples/templates/payments-critical.yaml']));
    const { code, stdout, stderr } = await runCommand(join(ROOT, '.venv', 'bin', 'cfn-lint'), ['--format', 'json', '--', ...templates], { cwd: ROOT, env: process.env });
    // Exit codes are bit flags (2 error, 4 warning, 8 informational); anything else is cfn-lint failing to run.
    expect({ code: code & ~(2 | 4 | 8), stderr }).toEqual({ code: 0, stderr: '' });
    const errors = (JSON.parse(stdout) as Match[]).filter((m) => m.Level === 'Error').map((m) => `${m.Filename}:${m.Location.Start.LineNumber} ${m.Rule.Id} ${m.Message}`);
    expect(errors).toEqual([]);
  }, 180_000);
});
