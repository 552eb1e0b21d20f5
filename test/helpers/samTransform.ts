import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from './cfnRender.js';
import { ROOT } from './fixtures.js';
import { runCommand } from './runCommand.js';

/** The bucket prefix scripts/stackset-template.py is told the code was packaged under. */
const PREFIX = 'rw-artifacts';

/**
 * A SAM template as CloudFormation deploys it: each function's code where `sam package
 * --s3-bucket rw-artifacts-eu-west-1` puts it, then the SAM transform, run by the SAM translator
 * itself through scripts/stackset-template.py. This is what hooks see (they run after transforms)
 * and what the organisation's StackSet deploys; its Parameters and Conditions are left to
 * `renderTemplate`.
 */
export async function transformTemplate(template: Template, work: string): Promise<Template> {
  const packaged = structuredClone(template);
  for (const [id, resource] of Object.entries(packaged.Resources)) {
    if (resource.Type === 'AWS::Serverless::Function') resource.Properties = { ...resource.Properties, CodeUri: `s3://${PREFIX}-eu-west-1/${id}.zip` };
  }
  const file = join(work, 'packaged.json');
  writeFileSync(file, JSON.stringify(packaged));
  const { code, stdout, stderr } = await runCommand(join(ROOT, '.venv', 'bin', 'python'), [join(ROOT, 'scripts', 'stackset-template.py'), file, PREFIX], { cwd: ROOT, env: process.env });
  if (code !== 0) throw new Error(`stackset-template.py failed (${code}): ${stderr}`);
  return JSON.parse(stdout) as Template;
}
